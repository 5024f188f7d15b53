// Reference ordering for warden's range conformance test: golang.org/x/mod/semver, the package
// the go command orders module versions with. Built in GOPATH mode against Debian's
// golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run main.go < input
//
// Reads "group<TAB>version" lines (versions with their "v"). For each group, prints
// "group<TAB>version<TAB>rank" with equal versions sharing a rank and ranks growing with the
// version, or rank "E" when semver.IsValid rejects the version.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	groups := map[string]map[string]bool{}
	for in.Scan() {
		line := in.Text()
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			continue
		}
		g, v := line[:i], line[i+1:]
		if groups[g] == nil {
			groups[g] = map[string]bool{}
		}
		groups[g][v] = true
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, g := range names {
		var valid []string
		vs := make([]string, 0, len(groups[g]))
		for v := range groups[g] {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		for _, v := range vs {
			if semver.IsValid(v) {
				valid = append(valid, v)
			} else {
				fmt.Fprintf(out, "%s\t%s\tE\n", g, v)
			}
		}
		sort.SliceStable(valid, func(a, b int) bool { return semver.Compare(valid[a], valid[b]) < 0 })
		rank := -1
		for i, v := range valid {
			if i == 0 || semver.Compare(valid[i-1], v) != 0 {
				rank++
			}
			fmt.Fprintf(out, "%s\t%s\t%d\n", g, v, rank)
		}
	}
}
