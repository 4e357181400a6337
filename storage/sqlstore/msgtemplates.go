package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type messageTemplateRow struct {
	ID            string    `gorm:"column:id;primaryKey"`
	StoreID       string    `gorm:"column:store_id"`
	ApplicationID string    `gorm:"column:application_id"`
	Kind          string    `gorm:"column:kind"`
	Channel       string    `gorm:"column:channel"`
	Language      string    `gorm:"column:language"`
	Subject       string    `gorm:"column:subject"`
	Text          string    `gorm:"column:text_body"`
	HTML          string    `gorm:"column:html_body"`
	Version       int64     `gorm:"column:version"`
	UpdatedAt     time.Time `gorm:"column:updated_at"`
	UpdatedBy     string    `gorm:"column:updated_by"`
}

func (messageTemplateRow) TableName() string { return "message_templates" }

func (r *messageTemplateRow) toMessageTemplate() storage.MessageTemplate {
	return storage.MessageTemplate{ID: r.ID, StoreID: r.StoreID, ApplicationID: r.ApplicationID, Kind: r.Kind,
		Channel: r.Channel, Language: r.Language, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Version: r.Version, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}
}

func templateKey(tx *gorm.DB, applicationID, kind, channel, language string) *gorm.DB {
	return tx.Where("application_id = ? AND kind = ? AND channel = ? AND language = ?", applicationID, kind, channel, language)
}

// PutMessageTemplate creates or replaces one template of an application.
func (s *Store) PutMessageTemplate(ctx context.Context, t *storage.MessageTemplate, ifVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		app, err := getApplication(tx, t.ApplicationID)
		if err != nil {
			return err
		}
		var stored messageTemplateRow
		err = templateKey(tx, t.ApplicationID, t.Kind, t.Channel, t.Language).Take(&stored).Error
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return wrapErr(err, "put message template %s/%s", t.Kind, t.Channel)
		}
		found := err == nil
		switch {
		case ifVersion != 0 && !found:
			return fmt.Errorf("sqlstore: put message template %s/%s: %w", t.Kind, t.Channel, storage.ErrNotFound)
		case ifVersion != 0 && stored.Version != ifVersion:
			return fmt.Errorf("sqlstore: put message template %s/%s: %w", t.Kind, t.Channel, storage.ErrStale)
		}
		row := messageTemplateRow{ID: newID(), StoreID: app.StoreID, ApplicationID: t.ApplicationID, Kind: t.Kind,
			Channel: t.Channel, Language: t.Language, Subject: t.Subject, Text: t.Text, HTML: t.HTML,
			Version: 1, UpdatedAt: now(), UpdatedBy: t.UpdatedBy}
		if !found {
			if err := tx.Create(&row).Error; err != nil {
				return wrapErr(err, "put message template %s/%s", t.Kind, t.Channel)
			}
			*t = row.toMessageTemplate()
			return nil
		}
		row.ID, row.Version = stored.ID, stored.Version+1
		res := tx.Model(&messageTemplateRow{}).Where("id = ? AND version = ?", stored.ID, stored.Version).
			Select("*").Omit("id", "application_id", "kind", "channel", "language").UpdateColumns(&row)
		if res.Error != nil {
			return wrapErr(res.Error, "put message template %s/%s", t.Kind, t.Channel)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: put message template %s/%s: %w", t.Kind, t.Channel, storage.ErrStale)
		}
		*t = row.toMessageTemplate()
		return nil
	})
}

// GetMessageTemplate reads one template by its name.
func (s *Store) GetMessageTemplate(ctx context.Context, applicationID, kind, channel, language string) (*storage.MessageTemplate, error) {
	var row messageTemplateRow
	if err := templateKey(s.db(ctx), applicationID, kind, channel, language).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get message template %s/%s/%q", kind, channel, language)
	}
	t := row.toMessageTemplate()
	return &t, nil
}

// ListMessageTemplates returns an application's templates.
func (s *Store) ListMessageTemplates(ctx context.Context, applicationID string) ([]storage.MessageTemplate, error) {
	var rows []messageTemplateRow
	err := s.db(ctx).Where("application_id = ?", applicationID).Order("kind, channel, language").Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list message templates of application %q", applicationID)
	}
	out := make([]storage.MessageTemplate, len(rows))
	for i := range rows {
		out[i] = rows[i].toMessageTemplate()
	}
	return out, nil
}

// DeleteMessageTemplate removes one template.
func (s *Store) DeleteMessageTemplate(ctx context.Context, applicationID, kind, channel, language string, ifVersion int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		var stored messageTemplateRow
		if err := templateKey(tx, applicationID, kind, channel, language).Take(&stored).Error; err != nil {
			return wrapErr(err, "delete message template %s/%s/%q", kind, channel, language)
		}
		if ifVersion != 0 && stored.Version != ifVersion {
			return fmt.Errorf("sqlstore: delete message template %s/%s: %w", kind, channel, storage.ErrStale)
		}
		q := tx.Where("id = ? AND version = ?", stored.ID, stored.Version).Delete(&messageTemplateRow{})
		if q.Error != nil {
			return wrapErr(q.Error, "delete message template %s/%s", kind, channel)
		}
		if q.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: delete message template %s/%s: %w", kind, channel, storage.ErrStale)
		}
		return nil
	})
}
