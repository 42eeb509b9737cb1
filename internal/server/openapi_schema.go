package server

import (
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"time"

	"github.com/vulndesk/vulndesk/internal/api"
	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/sla"
)

// schemaTypes maps the schema names the route table uses to Go types; the
// document's schemas are derived from them by reflection, so they say what
// the handlers really encode. A field's description is its `doc` tag. A
// struct field whose type is listed here under one name becomes a $ref.
var schemaTypes = map[string]any{
	"Asset":         model.Asset{},
	"AssetCreate":   api.AssetInput{},
	"AssetPatch":    api.AssetInput{},
	"AssetList":     api.Page[model.Asset]{},
	"Snapshot":      model.Snapshot{},
	"SnapshotList":  api.Page[model.Snapshot]{},
	"Component":     model.SnapshotComponent{},
	"ComponentList": api.Page[model.SnapshotComponent]{},
	"Ingest":        api.Ingest{},
	"SARIFImport":   model.SARIFImport{},
	"CodeFinding":   model.CodeFinding{},
	"UploadReceipt": api.UploadReceipt{},
	"Finding":       model.AssetFinding{},
	"FindingList":   api.Page[model.AssetFinding]{},
	"FindingRow":    api.FindingRow{},
	"Evidence":      model.Evidence{},
	"Advisory":      model.AdvisoryInfo{},
	"Severity":      model.Severity{},
	"Feed":          model.Feed{},
	"FeedCreate":    api.FeedInput{},
	"FeedPatch":     api.FeedInput{},
	"FeedList":      api.Page[model.Feed]{},
	"Job":           model.Job{},
	"JobList":       api.Page[model.Job]{},
	"QueueStat":     model.QueueStat{},
	"Token":         model.Token{},
	"TokenList":     api.Page[model.Token]{},
	"NewToken":      api.NewToken{},
	"CreatedToken":  api.CreatedToken{},
	"User":          model.User{},
	"UserList":      api.Page[model.User]{},
	"NewUser":       api.NewUser{},
	"CreatedUser":   api.CreatedUser{},
	"UserChange":    api.UserChange{},
	"SetPassword":   api.SetPassword{},
	"NewPassword":   api.NewPassword{},
	"OwnPassword":   api.OwnPassword{},
	"Overview":      api.Overview{},
	"AssetCount":    model.AssetCount{},
	"Health":        api.Health{},
	"Me":            api.Me{},
	"Queued":        api.Queued{},
	"Error":         api.Error{},

	"AuditEventList": api.Page[model.AuditEvent]{},

	"Channel":        model.Channel{},
	"ChannelList":    api.Page[model.Channel]{},
	"NewChannel":     api.NewChannel{},
	"CreatedChannel": api.CreatedChannel{},
	"Rule":           model.NotifyRule{},
	"RuleList":       api.Page[model.NotifyRule]{},
	"NewRule":        api.NewRule{},
	"Delivery":       model.Delivery{},
	"DeliveryList":   api.Page[model.Delivery]{},
	"DeliveryLog":    model.DeliveryAttempt{},
	"NotifyItem":     model.NotifyItem{},

	// CRA (issue 14, part cra).
	"Product":            model.Product{},
	"ProductList":        api.Page[model.Product]{},
	"ProductInput":       api.ProductInput{},
	"OutboundReport":     model.OutboundReport{},
	"OutboundReportList": api.Page[model.OutboundReport]{},
	"NewOutboundReport":  api.NewOutboundReport{},
	"OutboundUpdate":     model.OutboundUpdate{},
	"CRAClock":           model.CRAClock{},
	"CRAList":            api.CRAList{},
	"CRACandidate":       model.CRACandidate{},
	"CRADeadline":        model.CRADeadline{},
	"CRASubmission":      model.CRASubmission{},
	"CRADrafts":          model.CRADrafts{},
	"CRAEarlyWarning":    model.CRAEarlyWarning{},
	"CRANotification":    model.CRANotification{},
	"CRAFinalReport":     model.CRAFinalReport{},
	"CRAStart":           model.CRAStart{},
	"CRADraftsPatch":     model.CRADraftsPatch{},
	"CRAMitigation":      model.CRAMitigation{},
	"CRASubmissionInput": model.CRASubmissionInput{},

	"TriageInput":       model.TriageInput{},
	"Assignment":        api.Assignment{},
	"Comment":           api.Comment{},
	"Ticket":            model.Ticket{},
	"HistoryEntry":      model.HistoryEntry{},
	"HistoryList":       api.Page[model.HistoryEntry]{},
	"BulkTriage":        api.BulkTriage{},
	"BulkTriaged":       api.BulkTriaged{},
	"Exception":         model.Exception{},
	"ExceptionList":     api.Page[model.Exception]{},
	"ExceptionInput":    model.ExceptionInput{},
	"ExceptionDecision": model.ExceptionDecision{},
	"Decision":          model.Decision{},
	"SLA":               model.SLAView{},
	"Priority":          model.PriorityView{},

	"SLAPolicy":       sla.Policy{},
	"SLAPolicies":     api.SLAPolicies[sla.Policy]{},
	"SLAPolicyInput":  sla.PolicyInput{},
	"SLADays":         sla.Days{},
	"SLAFigures":      api.SLAFigures{},
	"SLAFigureGroup":  api.SLAFigureGroup{},
	"SLAFigureReport": api.SLAFigureReport{},
	"Settings":        api.Settings{},
	"ScanRecord":      model.ScanRecord{},
	"ScanRecordList":  api.Page[model.ScanRecord]{},
	"OverdueScans":    api.OverdueScans{},
	"OverdueAsset":    model.OverdueAsset{},
	"SettingsPatch":   api.SettingsPatch{},

	// VEX (issue 13).
	"VEXImport":    model.VEXImport{},
	"VEXUnmatched": model.VEXUnmatched{},

	// Disclosure settings (issue 14, sectxt).
	"DisclosureSettings": api.DisclosureSettings{},
	"DisclosurePatch":    model.DisclosurePatch{},
	"CSIRT":              model.CSIRT{},
	"CaseTimers":         model.CaseTimers{},
	"CSIRTPatch":         model.CSIRTPatch{},
	"CaseTimersPatch":    model.CaseTimersPatch{},
	// Disclosure cases (issue 14, part cases).
	"Case":               model.Case{},
	"CaseList":           api.Page[model.Case]{},
	"CaseDetail":         model.CaseDetail{},
	"CaseTimer":          model.CaseTimer{},
	"CaseMessage":        model.CaseMessage{},
	"CaseMessageList":    api.Page[model.CaseMessage]{},
	"CaseAttachment":     model.CaseAttachment{},
	"CaseLink":           model.CaseLink{},
	"CaseExtension":      model.CaseExtension{},
	"CasePatch":          model.CasePatch{},
	"CaseStateChange":    model.CaseStateChange{},
	"CaseMessageInput":   model.CaseMessageInput{},
	"CaseLinkInput":      model.CaseLinkInput{},
	"CaseExtensionInput": model.CaseExtensionInput{},
	// CSAF advisories (issue 14, csaf).
	"SecurityAdvisory":       model.SecurityAdvisory{},
	"SecurityAdvisoryList":   api.Page[model.SecurityAdvisory]{},
	"SecurityAdvisoryCreate": api.SecurityAdvisoryInput{},
	"SecurityAdvisoryPatch":  api.SecurityAdvisoryInput{},
}

// requestRequired lists the schemas clients send, each with the fields
// the server requires (as its handlers and services validate them); the
// other fields are optional. Request schemas refuse unknown fields.
var requestRequired = map[string][]string{
	"AssetCreate": {"name"},
	"AssetPatch":  nil,
	"FeedCreate":  {"name", "kind", "url"},
	"FeedPatch":   nil,
	"NewToken":    {"name", "role"},
	"NewUser":     {"username", "role"},
	"UserChange":  nil,
	"SetPassword": nil,
	"OwnPassword": {"current_password", "new_password"},

	"TriageInput":       {"state"},
	"Assignment":        {"assignee"},
	"Comment":           {"body"},
	"Ticket":            {"url"},
	"BulkTriage":        {"state"},
	"ExceptionInput":    {"reason", "expires_at"},
	"ExceptionDecision": nil,
	"SLAPolicyInput":    {"rules", "unknown_as", "criticality_percent"},
	"SettingsPatch":     nil,

	"NewChannel": {"name", "kind"},
	"NewRule":    {"channel_id", "events"},

	// Disclosure settings (issue 14, sectxt).
	"DisclosurePatch": nil,
	// Disclosure cases (issue 14, part cases).
	"CasePatch":          nil,
	"CaseStateChange":    {"state"},
	"CaseMessageInput":   {"body"},
	"CaseLinkInput":      {"kind", "target"},
	"CaseExtensionInput": {"days", "reason"},
	// CSAF advisories (issue 14, csaf).
	"SecurityAdvisoryCreate": {"title"},
	"SecurityAdvisoryPatch":  nil,
	// CRA (issue 14, part cra).
	"ProductInput":       {"support_end"},
	"NewOutboundReport":  {"kind"},
	"OutboundUpdate":     nil,
	"CRAStart":           nil,
	"CRADraftsPatch":     nil,
	"CRAMitigation":      nil,
	"CRASubmissionInput": {"report"},
}

// inputSchema maps a route's method and Body to the schema clients send,
// where creating and changing take one Go type with different rules.
var inputSchema = map[string]string{
	"POST Asset": "AssetCreate", "PATCH Asset": "AssetPatch",
	"POST Feed": "FeedCreate", "PATCH Feed": "FeedPatch",
	// CSAF advisories (issue 14, csaf).
	"POST SecurityAdvisory": "SecurityAdvisoryCreate", "PATCH SecurityAdvisory": "SecurityAdvisoryPatch",
}

// requestSchema names the schema of rt's JSON request body.
func requestSchema(rt route) string {
	if name, ok := inputSchema[rt.Method+" "+rt.Body]; ok {
		return name
	}
	return rt.Body
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// schemaBuilder derives schemas from Go types.
type schemaBuilder struct {
	refs map[reflect.Type]string // types with one schema name of their own
}

func newSchemaBuilder() *schemaBuilder {
	count := map[reflect.Type][]string{}
	for name, v := range schemaTypes {
		t := reflect.TypeOf(v)
		count[t] = append(count[t], name)
	}
	b := &schemaBuilder{refs: map[reflect.Type]string{}}
	for t, names := range count {
		if len(names) == 1 {
			b.refs[t] = names[0]
		}
	}
	return b
}

// component describes the schema named name.
func (b *schemaBuilder) component(name string) map[string]any {
	t := reflect.TypeOf(schemaTypes[name])
	required, request := requestRequired[name]
	s := b.object(t, request)
	if request {
		if len(required) > 0 {
			s["required"] = required
		}
		s["additionalProperties"] = false
	}
	s["description"] = schemaDocs[name]
	return s
}

// schemaOf describes a Go type as an OpenAPI 3.0 schema; a struct type
// with a schema of its own is a $ref.
func (b *schemaBuilder) schemaOf(t reflect.Type, request bool) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return b.schemaOf(t.Elem(), request)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": b.schemaOf(t.Elem(), request)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": b.schemaOf(t.Elem(), request)}
	case reflect.Struct:
		if name, ok := b.refs[t]; ok {
			return ref(name)
		}
		return b.object(t, request)
	}
	return map[string]any{}
}

// object describes a struct: its properties and, for answers, the ones
// always present (those not omitted when empty).
func (b *schemaBuilder) object(t reflect.Type, request bool) map[string]any {
	props := map[string]any{}
	var required []string
	b.addFields(t, props, &required, request)
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (b *schemaBuilder) addFields(t reflect.Type, props map[string]any, required *[]string, request bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			b.addFields(ft, props, required, request)
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := b.schemaOf(f.Type, request)
		if f.Type == rawType {
			s = maps.Clone(rawSchemas[fieldKey{t, name}]) // nil: an untyped value, which the test refuses
			if s == nil {
				s = map[string]any{}
			}
		}
		if vals, ok := enums[fieldKey{t, name}]; ok {
			if s["type"] == "array" {
				s["items"].(map[string]any)["enum"] = vals
			} else {
				s["enum"] = vals
			}
		}
		if _, isRef := s["$ref"]; isRef {
			s = map[string]any{"allOf": []any{s}} // a $ref takes no description beside it
		}
		s["description"] = f.Tag.Get("doc")
		props[name] = s
		omitted := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if !omitted && !request {
			*required = append(*required, name)
		}
	}
}

// fieldKey names a field by the struct that declares it and its JSON name.
type fieldKey struct {
	t    reflect.Type
	json string
}

func field[T any](json string) fieldKey { return fieldKey{reflect.TypeFor[T](), json} }

// rawSchemas say what a json.RawMessage field holds.
var rawSchemas = map[fieldKey]map[string]any{
	field[model.AssetFinding]("evidence"): {"type": "array", "items": ref("Evidence")},
	field[model.Event]("before"):          {"type": "object", "additionalProperties": true},
	field[model.Event]("after"):           {"type": "object", "additionalProperties": true},
	field[model.PriorityView]("inputs"):   {"type": "object", "additionalProperties": true},
	field[model.PriorityView]("outcome"):  {"type": "object", "additionalProperties": true},
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
