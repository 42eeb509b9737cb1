// Package arch checks the shape of the code that the compiler does not:
// imports point down the layers, only the service, server and CLI use the
// store, only the store opens a database, only the network packages speak
// HTTP, and the server changes no state but through the service.
package arch

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Module is the import path every internal package starts with.
const Module = "github.com/vulndesk/vulndesk"

const internalPrefix = Module + "/internal/"

// Layers places every package under internal/ (by its path below
// internal/, nested ones too): a package may import only packages of a
// lower layer. A new package must be placed here, which is the point.
// Test helpers sit above what they help test (storetest above store,
// servertest above server).
var Layers = map[string]int{
	"model": 0, "auth": 0, "config": 0, "arch": 0,
	"api": 1, "ecosystem": 1, "finding": 1, "sla": 1, "ssvc": 1, "sarif": 1, "notify": 1,
	"version": 2, "severity": 2, "client": 2, "store": 2,
	"store/storetest": 3,
	"osv":             3, "sbom": 3, "ignore": 3, "feed": 3, "nvd": 3, "vex": 3, "securitytxt": 3,
	"advisorydb": 4, "nvd/nvdfetch": 4,
	// CSAF advisories (issue 14, csaf).
	"pgpkey": 1, "csaf/csaftest": 1, "csaf": 3,
	"match": 5, "report": 5,
	"service":           6,
	"server":            7,
	"server/servertest": 8,
	"cli":               9,
}

// StoreUsers are the packages that may import the store (and its nested
// packages): the service with its job runner, the server and the CLI. A
// package nested in one of them counts as it. Everything else is domain
// code, which takes and returns model values and never persists.
var StoreUsers = map[string]bool{"store": true, "service": true, "server": true, "cli": true}

// Network lists the packages allowed to speak HTTP: osv and feed download
// advisory sources, service hands feed its client, server serves, client
// and cli call it; a package nested in one of them counts as it. A nested
// package may be named on its own (nvd/nvdfetch downloads NVD's API while
// nvd, which decodes, stays pure). The rest stays pure.
var Network = map[string]bool{"osv": true, "feed": true, "service": true, "server": true, "cli": true, "client": true, "nvd/nvdfetch": true}

// databaseImports are the imports that open or speak to a database: only
// the store (and its nested packages) may use them.
var databaseImports = []string{
	"database/sql",
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"github.com/mattn/go-sqlite3",
	"github.com/lib/pq",
	"github.com/pressly/goose",
}

// Rule names a kind of violation.
type Rule string

// The rules Check applies.
const (
	RuleUnplaced  Rule = "unplaced"      // a package without a layer
	RuleUpward    Rule = "upward-import" // an import of the same or a higher layer
	RuleStore     Rule = "store-import"  // a domain package imports the store
	RuleDatabase  Rule = "database"      // database/sql or a driver outside the store
	RuleHTTP      Rule = "net-http"      // net/http outside the network packages
	RuleServerTx  Rule = "server-write"  // the server changes state through the store
	RuleAnyMap    Rule = "map-any"       // the server builds a map[string]any
	RuleParseFile Rule = "unparsable-go" // a Go file the checker cannot read
)

// Violation is one place that breaks a rule.
type Violation struct {
	Rule Rule
	File string // slash-separated, relative to the checked root
	Line int
	Msg  string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s:%d: [%s] %s", v.File, v.Line, v.Rule, v.Msg)
}

// pkg is one directory of Go files under internal/.
type pkg struct {
	key   string   // its path below internal/, e.g. "store/storetest"
	files []string // its non-test Go files, slash paths relative to root
}

// top is the first element of a package key: "store" for
// "store/storetest". A nested package has its parent's permissions.
func top(key string) string {
	first, _, _ := strings.Cut(key, "/")
	return first
}

// isTestHelper tells a package that only tests use (storetest,
// servertest); the server's write rule does not apply to it.
func isTestHelper(key string) bool { return strings.HasSuffix(path.Base(key), "test") }

// Check reads the module at root and returns every violation, sorted by
// file and line. Test files are exempt: tests may reach into any layer.
func Check(root string) ([]Violation, error) {
	pkgs, err := internalPackages(root)
	if err != nil {
		return nil, err
	}
	c := newChecker(root)
	for _, p := range pkgs {
		c.imports(p)
	}
	for _, dir := range []string{"cmd", "scripts"} {
		if err := c.databaseOutside(dir); err != nil {
			return nil, err
		}
	}
	c.server(pkgs)
	sort.Slice(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Msg < b.Msg
	})
	return c.out, nil
}

type checker struct {
	root string
	fset *token.FileSet
	out  []Violation
	// full holds the files parsed whole, by path; bad the ones that did
	// not parse, reported once.
	full map[string]*ast.File
	bad  map[string]bool
}

func newChecker(root string) *checker {
	return &checker{root: root, fset: token.NewFileSet(), full: map[string]*ast.File{}, bad: map[string]bool{}}
}

func (c *checker) report(rule Rule, file string, line int, format string, a ...any) {
	c.out = append(c.out, Violation{Rule: rule, File: file, Line: line, Msg: fmt.Sprintf(format, a...)})
}

// parse reads one file (rel to root) with the given mode; a file that does
// not parse is a violation, not an error, so the rest is still checked.
func (c *checker) parse(rel string, mode parser.Mode) *ast.File {
	if c.bad[rel] {
		return nil
	}
	if f := c.full[rel]; f != nil {
		return f
	}
	f, err := parser.ParseFile(c.fset, filepath.Join(c.root, filepath.FromSlash(rel)), nil, mode)
	if err != nil {
		c.bad[rel] = true
		c.report(RuleParseFile, rel, 0, "cannot parse: %v", err)
		return nil
	}
	if mode == 0 {
		c.full[rel] = f
	}
	return f
}

// goFiles lists the non-test Go files of every directory under dir
// (relative to root), skipping testdata and the directories the go tool
// ignores; the map is keyed by the directory, slash-separated.
func goFiles(root, dir string) (map[string][]string, error) {
	byDir := map[string][]string{}
	base := filepath.Join(root, dir)
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != base && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		byDir[path.Dir(rel)] = append(byDir[path.Dir(rel)], rel)
		return nil
	})
	if os.IsNotExist(err) {
		return nil, nil
	}
	return byDir, err
}

// internalPackages lists the packages under root/internal, sorted.
func internalPackages(root string) ([]pkg, error) {
	byDir, err := goFiles(root, "internal")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(root, "internal"), err)
	}
	if len(byDir) == 0 {
		return nil, fmt.Errorf("no Go files under %s: not the module root", filepath.Join(root, "internal"))
	}
	var pkgs []pkg
	for dir, files := range byDir {
		sort.Strings(files)
		pkgs = append(pkgs, pkg{key: strings.TrimPrefix(dir, "internal/"), files: files})
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].key < pkgs[j].key })
	return pkgs, nil
}

// imports applies the import rules to one package's files.
func (c *checker) imports(p pkg) {
	own, placed := Layers[p.key]
	if !placed {
		c.report(RuleUnplaced, p.files[0], 0, "internal/%s has no layer: place it in arch.Layers", p.key)
	}
	for _, file := range p.files {
		f := c.parse(file, parser.ImportsOnly)
		if f == nil {
			continue
		}
		for _, imp := range f.Imports {
			ipath, _ := strconv.Unquote(imp.Path.Value)
			line := c.fset.Position(imp.Pos()).Line
			c.database(p.key, file, line, ipath)
			if (ipath == "net/http" || strings.HasPrefix(ipath, "net/http/")) && !Network[top(p.key)] && !Network[p.key] {
				c.report(RuleHTTP, file, line, "internal/%s imports %s: only the network packages (arch.Network) speak HTTP; domain packages stay pure", p.key, ipath)
			}
			dep, ok := strings.CutPrefix(ipath, internalPrefix)
			if !ok {
				continue
			}
			if top(dep) == "store" && !StoreUsers[top(p.key)] {
				c.report(RuleStore, file, line, "internal/%s imports internal/%s: only the service, server and CLI (arch.StoreUsers) use the store; a domain package takes and returns model values", p.key, dep)
			}
			if l, ok := Layers[dep]; placed && ok && l >= own {
				c.report(RuleUpward, file, line, "internal/%s (layer %d) imports internal/%s (layer %d): imports must point to a lower layer", p.key, own, dep, l)
			}
		}
	}
}

// database reports an import of database/sql or a driver outside the store.
func (c *checker) database(key, file string, line int, ipath string) {
	if key != "" && top(key) == "store" {
		return
	}
	for _, d := range databaseImports {
		if ipath == d || strings.HasPrefix(ipath, d+"/") {
			where := file
			if key != "" {
				where = "internal/" + key
			}
			c.report(RuleDatabase, file, line, "%s imports %s: only internal/store opens and speaks to the database", where, ipath)
		}
	}
}

// databaseOutside applies the database rule to the commands and scripts
// outside internal/.
func (c *checker) databaseOutside(dir string) error {
	byDir, err := goFiles(c.root, dir)
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(c.root, dir), err)
	}
	for _, files := range byDir {
		for _, file := range files {
			f := c.parse(file, parser.ImportsOnly)
			if f == nil {
				continue
			}
			for _, imp := range f.Imports {
				ipath, _ := strconv.Unquote(imp.Path.Value)
				c.database("", file, c.fset.Position(imp.Pos()).Line, ipath)
			}
		}
	}
	return nil
}
