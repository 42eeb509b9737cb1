package server

// The shapes every resource of the JSON API shares: create, read one,
// change one and delete one. A resource's file names what differs (the
// noun, its input body, the service call); the HTTP is written once.

import (
	"context"
	"fmt"
	"net/http"

	"github.com/vulndesk/vulndesk/internal/api"
)

// applier is a request body that edits a resource: the fields it carries
// are set, the rest kept.
type applier[T any] interface{ Apply(*T) }

// createOne serves POST on a collection: the body edits a new T (starting
// from fresh), create stores it through the service, and the answer is 201
// with the resource and its Location.
func createOne[In applier[T], T any](collection string, fresh func() T, id func(T) int64,
	create func(context.Context, T, string) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		var in In
		if err := decode(r, &in); err != nil {
			return err
		}
		v := fresh()
		in.Apply(&v)
		v, err := create(r.Context(), v, who.Name)
		if err != nil {
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("%s/%d", collection, id(v)))
		return writeJSON(w, http.StatusCreated, v)
	}
}

// readOne serves GET on /…/{id}; a missing one is a 404 that names it.
func readOne[T any](noun string, read func(context.Context, int64) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		v, err := read(r.Context(), id)
		if err != nil {
			return fmt.Errorf("%s %d: %w", noun, id, err)
		}
		return writeJSON(w, http.StatusOK, v)
	}
}

// changeOne serves PATCH on /…/{id}: the body edits the stored resource
// inside the service's transaction.
func changeOne[In applier[T], T any](update func(context.Context, int64, func(*T), string) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, in, err := idAndBody[In](r)
		if err != nil {
			return err
		}
		v, err := update(r.Context(), id, in.Apply, who.Name)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, v)
	}
}

// deleteOne serves DELETE on /…/{id} through the service: 204.
func deleteOne(del func(context.Context, int64, string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, who *principal) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		if err := del(r.Context(), id, who.Name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// listAll serves GET on a collection read whole, as {"items": […]}.
func listAll[T any](list func(context.Context) ([]T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *principal) error {
		items, err := list(r.Context())
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, api.Page[T]{Items: items})
	}
}

// parentID reads the {id} of a resource whose children are asked for: a
// missing parent is a 404 that names it, not an empty list.
func parentID[T any](r *http.Request, noun string, read func(context.Context, int64) (T, error)) (int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, err
	}
	if _, err := read(r.Context(), id); err != nil {
		return 0, fmt.Errorf("%s %d: %w", noun, id, err)
	}
	return id, nil
}

// idAndBody reads the {id} path value and the JSON body of a request on
// one resource.
func idAndBody[In any](r *http.Request) (id int64, in In, err error) {
	if id, err = pathID(r); err != nil {
		return 0, in, err
	}
	err = decode(r, &in)
	return id, in, err
}
