//! Version ordering per ecosystem: dpkg, apk, rpm, PEP 440, semver, Maven, Go, RubyGems, NuGet, Composer.
