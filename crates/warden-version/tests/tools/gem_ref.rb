# Reference for warden-version's RubyGems differential test: Gem::Version and Gem::Requirement.
# Reads "a<TAB>b" lines on stdin. Mode compare: -1, 0, 1, or E for a malformed version.
# Mode requirement: a is a version, b a comma-separated requirement list; T, F or E.
mode = ARGV[0]
out = []
$stdin.read.split("\n").each do |line|
  next if line.empty?
  a, b = line.split("\t", 2)
  begin
    if mode == "compare"
      out << (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s
    else
      req = Gem::Requirement.new(*b.split(","))
      out << (req.satisfied_by?(Gem::Version.new(a)) ? "T" : "F")
    end
  rescue ArgumentError, Gem::Requirement::BadRequirementError
    out << "E"
  end
end
puts out.join("\n")
