package service

// Coordinated vulnerability disclosure: its settings.

import (
	"context"

	"github.com/vulndesk/vulndesk/internal/model"
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
