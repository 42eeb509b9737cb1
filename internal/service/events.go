package service

import (
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
)

// Actors that are not people or tokens.
const (
	ActorCLI        = "cli"         // a vulndesk command run on the server's database
	ActorFirstStart = "first start" // what serve sets up on an empty database
	ActorSystem     = "system"      // the service's own jobs (feed syncs)
)

// event is the record of a change by actor: kind is <object>.<verb>.
func event(actor, kind, objectType string, id any) model.Event {
	return model.Event{Actor: actor, Kind: kind, ObjectType: objectType, ObjectID: fmt.Sprint(id)}
}
