package api

// Page is a list response with its keyset cursor.
type Page[T any] struct {
	Items      []T    `json:"items" doc:"this Page's items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as cursor to read the next Page; absent on the last Page and from lists that are not paged"`
}
