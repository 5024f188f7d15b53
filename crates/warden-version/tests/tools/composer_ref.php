<?php
// Reference for warden-version's Composer differential test: composer/semver.
// Reads "a<TAB>b" lines on stdin. Mode compare: -1, 0, 1 by version_compare of the normalized
// versions, E when either does not normalize or when a dev branch meets anything but itself.
// Mode satisfies: a is a version, b a constraint; T, F or E.
$autoload = getenv('WARDEN_COMPOSER_SEMVER') ?: '/usr/share/php/Composer/Semver/autoload.php';
require $autoload;
use Composer\Semver\Semver;
use Composer\Semver\VersionParser;
$mode = $argv[1];
$parser = new VersionParser();
$out = [];
foreach (explode("\n", stream_get_contents(STDIN)) as $line) {
    if ($line === '') continue;
    [$a, $b] = explode("\t", $line, 2);
    try {
        if ($mode === 'compare') {
            $x = $parser->normalize($a);
            $y = $parser->normalize($b);
            if (strpos($x, 'dev-') === 0 || strpos($y, 'dev-') === 0) {
                $out[] = $x === $y ? '0' : 'E';
            } else {
                $out[] = (string) version_compare($x, $y);
            }
        } else {
            $out[] = Semver::satisfies($a, $b) ? 'T' : 'F';
        }
    } catch (\Throwable $e) {
        $out[] = 'E';
    }
}
echo implode("\n", $out), "\n";
