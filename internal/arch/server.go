package arch

import (
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// AnyMapExempt are the server files that may build map[string]any, and
// why: the OpenAPI document is a JSON Schema tree of any shape, not a
// response the handlers encode. Responses are named types, so the
// document can be derived from them.
var AnyMapExempt = map[string]string{
	"internal/server/openapi.go":        "the OpenAPI document is JSON Schema, built as a tree",
	"internal/server/openapi_schema.go": "derives JSON Schema from the response types",
}

// writeSQL finds a statement that changes rows in a string literal, for the
// writes that run through QueryRow (INSERT … RETURNING).
var writeSQL = regexp.MustCompile(`(?i)\b(INSERT\s+INTO|UPDATE\s+[\w.]+\s+SET|DELETE\s+FROM)\b`)

// StoreWrites returns the methods of *store.Store that change state, each
// with the reason it counts: its body runs Exec or ExecContext, a statement
// that inserts, updates or deletes, or opens a transaction; or it calls a
// method or function of the store that does.
func StoreWrites(root string) (map[string]string, error) {
	pkgs, err := internalPackages(root)
	if err != nil {
		return nil, err
	}
	c := newChecker(root)
	w, _ := c.storeWrites(pkgs)
	if len(c.out) > 0 {
		return nil, fmt.Errorf("%s", c.out[0])
	}
	return w, nil
}

// server applies the rules of internal/server (and its nested packages
// but the test helpers): no state change through the store, and no
// map[string]any.
func (c *checker) server(pkgs []pkg) {
	writes, raw := c.storeWrites(pkgs)
	fields := c.storeFields(pkgs)
	for _, p := range pkgs {
		if top(p.key) != "server" || isTestHelper(p.key) {
			continue
		}
		for _, file := range p.files {
			f := c.parse(file, 0)
			if f == nil {
				continue
			}
			c.serverFile(file, f, writes, raw, fields)
			if _, ok := AnyMapExempt[file]; !ok {
				c.anyMaps(file, f)
			}
		}
	}
}

// storeImportName is the name a file imports internal/store under, "" when
// it does not import it.
func storeImportName(f *ast.File) string {
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == internalPrefix+"store" {
			if imp.Name != nil {
				return imp.Name.Name
			}
			return "store"
		}
	}
	return ""
}

// isStoreType tells whether t is store.Store or *store.Store.
func isStoreType(t ast.Expr, storeName string) bool {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	sel, ok := t.(*ast.SelectorExpr)
	if !ok || storeName == "" {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && id.Name == storeName && sel.Sel.Name == "Store"
}

// storeFields returns the names of the struct fields, in any non-test
// internal package, that hold a *store.Store (service.Service.Store,
// server.Server.Store): through them a handler reaches the store.
func (c *checker) storeFields(pkgs []pkg) map[string]bool {
	fields := map[string]bool{}
	for _, p := range pkgs {
		for _, file := range p.files {
			f := c.parse(file, 0)
			if f == nil {
				continue
			}
			name := storeImportName(f)
			if name == "" {
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				st, ok := n.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fld := range st.Fields.List {
					if !isStoreType(fld.Type, name) {
						continue
					}
					if len(fld.Names) == 0 {
						fields["Store"] = true
						if top(p.key) == "server" && !isTestHelper(p.key) {
							c.report(RuleServerTx, file, c.fset.Position(fld.Pos()).Line,
								"embeds *store.Store: its writing methods would be callable on the server; name the field and change state through the service")
						}
					}
					for _, id := range fld.Names {
						fields[id.Name] = true
					}
				}
				return true
			})
		}
	}
	return fields
}

// storeIdents returns the names a server file gives a *store.Store: its
// parameters and variables declared so, and the variables assigned one.
// Scopes are not told apart, which may only over-report.
func storeIdents(f *ast.File, storeName string, isStore func(ast.Expr, map[string]bool) bool) map[string]bool {
	ids := map[string]bool{}
	for changed := true; changed; {
		changed = false
		add := func(id *ast.Ident) {
			if id != nil && id.Name != "_" && !ids[id.Name] {
				ids[id.Name], changed = true, true
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				if isStoreType(n.Type, storeName) {
					for _, id := range n.Names {
						add(id)
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if isStoreType(n.Type, storeName) || (i < len(n.Values) && isStore(n.Values[i], ids)) {
						add(id)
					}
				}
			case *ast.AssignStmt:
				if len(n.Lhs) != len(n.Rhs) {
					return true
				}
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && isStore(n.Rhs[i], ids) {
						add(id)
					}
				}
			}
			return true
		})
	}
	return ids
}

// serverFile reports the places of one server file that change state
// through the store: a writing method of *store.Store or the database
// handle reached through a store value, Transact, or store.Tx.
func (c *checker) serverFile(file string, f *ast.File, writes, raw map[string]string, fields map[string]bool) {
	storeName := storeImportName(f)
	var isStore func(e ast.Expr, ids map[string]bool) bool
	isStore = func(e ast.Expr, ids map[string]bool) bool {
		switch e := e.(type) {
		case *ast.ParenExpr:
			return isStore(e.X, ids)
		case *ast.Ident:
			return ids[e.Name]
		case *ast.SelectorExpr:
			return fields[e.Sel.Name]
		}
		return false
	}
	ids := storeIdents(f, storeName, isStore)
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		line := c.fset.Position(sel.Sel.Pos()).Line
		name := sel.Sel.Name
		x, _ := sel.X.(*ast.Ident)
		switch {
		case name == "Transact":
			c.report(RuleServerTx, file, line, "uses Transact: a transaction is a use case of the service; call the service function that changes this state")
		case x != nil && storeName != "" && x.Name == storeName && name == "Tx":
			c.report(RuleServerTx, file, line, "refers to store.Tx: a transaction is a use case of the service; call the service function that changes this state")
		case isStore(sel.X, ids) && writes[name] != "":
			c.report(RuleServerTx, file, line, "calls store method %s, which writes (%s): a handler changes state through the service, in one transaction with its event", name, writes[name])
		case isStore(sel.X, ids) && raw[name] != "":
			c.report(RuleServerTx, file, line, "calls store method %s, which %s: a handler changes state through the service", name, raw[name])
		}
		return true
	})
}

// anyMaps reports every map[string]any (or map[string]interface{}) in a
// file: a response is a named type.
func (c *checker) anyMaps(file string, f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		m, ok := n.(*ast.MapType)
		if !ok {
			return true
		}
		k, _ := m.Key.(*ast.Ident)
		if k == nil || k.Name != "string" {
			return true
		}
		switch v := m.Value.(type) {
		case *ast.Ident:
			if v.Name != "any" {
				return true
			}
		case *ast.InterfaceType:
			if len(v.Methods.List) > 0 {
				return true
			}
		default:
			return true
		}
		c.report(RuleAnyMap, file, c.fset.Position(m.Pos()).Line,
			"builds a map[string]any: a response is a named type (in internal/api), so the OpenAPI document can be derived from it")
		return true
	})
}

// storeFunc is one function or method of the store package.
type storeFunc struct {
	file  string
	decl  *ast.FuncDecl
	recv  string   // receiver's variable name, "" for a function
	calls []string // keys of the store functions and methods it refers to
}

// funcKey keys a store function by its receiver type and name: "Store.Finish",
// "Tx.Enqueue", "enqueue".
func funcKey(d *ast.FuncDecl) (key, recvVar string) {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name, ""
	}
	r := d.Recv.List[0]
	t := r.Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	typ := "?"
	if id, ok := t.(*ast.Ident); ok {
		typ = id.Name
	}
	if len(r.Names) > 0 {
		recvVar = r.Names[0].Name
	}
	return typ + "." + d.Name.Name, recvVar
}

// storeWrites finds the writing methods of *store.Store by reading the
// store package (see StoreWrites), and the methods that hand out the
// database handle itself (a database/sql type in their results).
func (c *checker) storeWrites(pkgs []pkg) (writes, raw map[string]string) {
	funcs := map[string]*storeFunc{}
	for _, p := range pkgs {
		if p.key != "store" {
			continue
		}
		for _, file := range p.files {
			f := c.parse(file, 0)
			if f == nil {
				continue
			}
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
					key, recv := funcKey(fd)
					funcs[key] = &storeFunc{file: file, decl: fd, recv: recv}
				}
			}
		}
	}
	reason := map[string]string{}
	for key, fn := range funcs {
		typ, _, _ := strings.Cut(key, ".")
		if !strings.Contains(key, ".") {
			typ = ""
		}
		if r := directWrite(fn); r != "" {
			reason[key] = r
		}
		fn.calls = calls(fn, typ, funcs)
	}
	// Spread along the calls until nothing changes.
	for changed := true; changed; {
		changed = false
		for key, fn := range funcs {
			if reason[key] != "" {
				continue
			}
			for _, callee := range fn.calls {
				if reason[callee] != "" {
					reason[key] = "calls " + callee + ", which writes"
					changed = true
					break
				}
			}
		}
	}
	writes, raw = map[string]string{}, map[string]string{}
	for key, fn := range funcs {
		name, ok := strings.CutPrefix(key, "Store.")
		if !ok {
			continue
		}
		if reason[key] != "" {
			writes[name] = reason[key]
		}
		if handsOutSQL(fn.decl) {
			raw[name] = "hands out the database handle itself"
		}
	}
	return writes, raw
}

// directWrite says why a function's own body writes, "" when it does not.
func directWrite(fn *storeFunc) string {
	var why []string
	ast.Inspect(fn.decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
				switch sel.Sel.Name {
				case "Exec", "ExecContext":
					why = append(why, "runs "+sel.Sel.Name)
				case "Begin", "BeginTx":
					why = append(why, "opens a transaction")
				}
			}
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if m := writeSQL.FindString(n.Value); m != "" {
					why = append(why, "runs "+strings.ToUpper(strings.Fields(m)[0]))
				}
			}
		}
		return true
	})
	if len(why) == 0 {
		return ""
	}
	sort.Strings(why)
	return why[0] + " in " + filepath.Base(fn.file)
}

// calls lists the store functions and the methods on its own receiver that
// fn refers to (a call or a method value).
func calls(fn *storeFunc, recvType string, funcs map[string]*storeFunc) []string {
	var out []string
	ast.Inspect(fn.decl.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && fn.recv != "" && id.Name == fn.recv {
				if k := recvType + "." + n.Sel.Name; funcs[k] != nil {
					out = append(out, k)
				}
			}
		case *ast.Ident:
			if funcs[n.Name] != nil && funcs[n.Name].recv == "" && funcs[n.Name].decl.Recv == nil {
				out = append(out, n.Name)
			}
		}
		return true
	})
	return out
}

// handsOutSQL tells a method whose results include a database/sql type:
// through it a caller could write anything.
func handsOutSQL(d *ast.FuncDecl) bool {
	if d.Type.Results == nil {
		return false
	}
	found := false
	for _, r := range d.Type.Results.List {
		ast.Inspect(r.Type, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "sql" {
					found = true
				}
			}
			return true
		})
	}
	return found
}
