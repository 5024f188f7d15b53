// Reference for warden-version's Maven differential test, run as a single-file source program:
//   java -cp maven-artifact.jar MavenCompare.java compare|range < pairs
// Each input line is "a<TAB>b" (compare: a, b versions; range: a version, b a range spec).
// Prints one line per input: -1, 0, 1 (compare), T or F (range), or E when Maven rejects it.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;
import org.apache.maven.artifact.versioning.DefaultArtifactVersion;
import org.apache.maven.artifact.versioning.VersionRange;

public class MavenCompare {
    public static void main(String[] args) throws Exception {
        boolean range = args.length > 0 && args[0].equals("range");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            int tab = line.indexOf('\t');
            String a = line.substring(0, tab);
            String b = line.substring(tab + 1);
            try {
                if (range) {
                    boolean ok = VersionRange.createFromVersionSpec(b).containsVersion(new DefaultArtifactVersion(a));
                    out.append(ok ? "T" : "F");
                } else {
                    int c = new ComparableVersion(a).compareTo(new ComparableVersion(b));
                    out.append(Integer.signum(c));
                }
            } catch (Exception e) {
                out.append("E");
            }
            out.append('\n');
        }
        System.out.print(out);
    }
}
