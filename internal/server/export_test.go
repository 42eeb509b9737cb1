package server

// RouteInfo is one entry of the route table as the external tests
// (package server_test) see it.
type RouteInfo struct {
	Method, Pattern string
	Public, Page    bool
	// Scopes are the permissions the route needs (empty: any signed-in
	// caller, or none for a public route).
	Scopes []string
	// Query names the documented query parameters; Body the request
	// body's schema ("sbom" for a raw SBOM document).
	Query []string
	Body  string
}

// Routes lists the route table, in its order.
func Routes() []RouteInfo {
	s := &Server{} // table only takes method values; nothing is called
	var out []RouteInfo
	for _, rt := range s.table() {
		ri := RouteInfo{Method: rt.Method, Pattern: rt.Pattern, Public: rt.Public, Page: rt.Page,
			Scopes: rt.Perm.Scopes(), Body: rt.Body}
		for _, q := range rt.Query {
			ri.Query = append(ri.Query, q.Name)
		}
		out = append(out, ri)
	}
	return out
}
