package service

// Coordinated vulnerability disclosure: its settings.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/store"
)

// settingDisclosure names the setting that holds model.Disclosure.
const settingDisclosure = "disclosure"

// Disclosure is the disclosure settings in force: what was stored over
// the defaults, so a field never set keeps its default.
func (s *Service) Disclosure(ctx context.Context) (model.Disclosure, error) {
	d := model.DefaultDisclosure()
	_, err := s.Store.Setting(ctx, settingDisclosure, &d)
	return d, err
}

// UpdateDisclosure changes the disclosure settings p gives, with its audit
// event (setting.changed, before → after), in one transaction. The whole
// settings are stored, validated as one, so a change never leaves them
// half made; a concurrent change makes it start over from the new value.
func (s *Service) UpdateDisclosure(ctx context.Context, actor string, p model.DisclosurePatch) (model.Disclosure, error) {
	for range 3 {
		var raw json.RawMessage
		if _, err := s.Store.Setting(ctx, settingDisclosure, &raw); err != nil {
			return model.Disclosure{}, err
		}
		d := model.DefaultDisclosure()
		if raw != nil {
			if err := json.Unmarshal(raw, &d); err != nil {
				return model.Disclosure{}, fmt.Errorf("setting %s: %w", settingDisclosure, err)
			}
		}
		p.Apply(&d)
		if err := d.Validate(); err != nil {
			return model.Disclosure{}, err
		}
		err := s.Store.Transact(ctx, func(tx *store.Tx) error {
			old, err := tx.SetSetting(ctx, settingDisclosure, d, actor, tx.Now())
			if err != nil {
				return err
			}
			if !bytes.Equal(old, raw) {
				return errDisclosureRace
			}
			var before any // never set before
			if old != nil {
				before = json.RawMessage(`{"value": ` + string(old) + `}`)
			}
			return tx.AppendEvent(ctx, event(actor, "setting.changed", "setting", settingDisclosure), before, map[string]any{"value": d})
		})
		if errors.Is(err, errDisclosureRace) {
			continue
		}
		return d, err
	}
	return model.Disclosure{}, fmt.Errorf("change the disclosure settings: %w", store.ErrConflict)
}

// errDisclosureRace rolls back a change made over settings that changed
// since they were read.
var errDisclosureRace = errors.New("the disclosure settings changed meanwhile")
