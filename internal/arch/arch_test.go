// Package arch holds the test that keeps the import graph pointing one way:
// cli → report/match → advisorydb → osv/sbom/ignore → version/severity →
// ecosystem → model.
package arch

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/vulndesk/vulndesk/internal/"

// layer of every internal package; a package may import only packages of a
// lower layer. A new package must be placed here, which is the point.
var layer = map[string]int{
	"model": 0, "auth": 0, "api": 1,
	"ecosystem": 1, "store": 1,
	"version": 2, "severity": 2, "client": 2,
	"osv": 3, "sbom": 3, "ignore": 3, "feed": 3,
	"advisorydb": 4,
	"match":      5, "report": 5,
	"service": 6,
	"server":  7,
	"cli":     8,
}

// network lists the packages allowed to speak HTTP: osv and feed download
// advisory sources, service hands feed its client, server serves, cli
// pushes; the rest stays pure.
var network = map[string]bool{"osv": true, "feed": true, "service": true, "server": true, "cli": true, "client": true}

func TestImportDirection(t *testing.T) {
	dirs, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "arch" {
			continue
		}
		pkg := d.Name()
		own, ok := layer[pkg]
		if !ok {
			t.Errorf("internal/%s has no layer in arch_test.go: place it", pkg)
			continue
		}
		files, _ := filepath.Glob(filepath.Join("..", pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "net/http" && !network[pkg] {
					t.Errorf("%s imports net/http: domain packages stay pure", f)
				}
				if !strings.HasPrefix(path, module) {
					continue
				}
				dep := strings.TrimPrefix(path, module)
				if l, ok := layer[dep]; !ok || l >= own {
					t.Errorf("%s (layer %d) imports internal/%s (layer %d): imports must point to a lower layer", f, own, dep, l)
				}
			}
		}
	}
}
