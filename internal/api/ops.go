package api

import "github.com/vulndesk/vulndesk/internal/model"

// Overview is what the overview shows, in the API and on the Page.
type Overview struct {
	model.Summary
	Feeds []model.Feed `json:"feeds" doc:"every configured feed with its health"`
	// Queue is the background work waiting and running, by kind: a long
	// match queue is why new findings lag behind uploads.
	Queue []model.QueueStat `json:"queue" doc:"background work waiting and running, one entry per job kind: a long match queue is why new findings lag behind uploads"`
}
