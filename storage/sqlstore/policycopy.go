package sqlstore

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"foyer/storage"
)

// SetApplicationPolicy changes the application's policy of p.Kind, copy
// on write: in place when the application alone uses a policy that is no
// Default, else through a new policy of its own.
func (s *Store) SetApplicationPolicy(ctx context.Context, applicationID string, p storage.Policy) (*storage.Policy, error) {
	var out *storage.Policy
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = setApplicationPolicy(tx, applicationID, p)
		return err
	})
	return out, err
}

func setApplicationPolicy(tx *gorm.DB, applicationID string, p storage.Policy) (*storage.Policy, error) {
	app, err := getApplication(tx, applicationID)
	if err != nil {
		return nil, err
	}
	body, err := policyRowOf(&p)
	if err != nil {
		return nil, err
	}
	if cur, err := lockPolicyRow(tx, app.PolicyID(p.Kind), p.Kind); err == nil && !cur.IsDefault {
		users, err := policyUsers(tx, cur)
		if err != nil {
			return nil, err
		}
		if len(users) == 1 {
			res := tx.Model(&policyRow{}).Where("id = ?", cur.ID).Updates(map[string]any{
				"body": body.Body, "version": gorm.Expr("version + 1"), "updated_at": now()})
			if err := affected(res, "update policy %q", cur.ID); err != nil {
				return nil, err
			}
			cur, err = getPolicyRow(tx, cur.ID, p.Kind)
			if err != nil {
				return nil, err
			}
			if err := copyPolicy(tx, cur, ""); err != nil {
				return nil, err
			}
			return cur.toStorage()
		}
	}
	own, err := createOwnPolicy(tx, app, body)
	if err != nil {
		return nil, err
	}
	if err := assignPolicy(tx, app.ID, own, true); err != nil {
		return nil, err
	}
	return own.toStorage()
}

// createOwnPolicy inserts body as a new policy named after the
// application (storage.OwnPolicyName), with a suffix when another policy
// of the kind has that name already.
func createOwnPolicy(tx *gorm.DB, app *storage.Application, body *policyRow) (*policyRow, error) {
	name := storage.OwnPolicyName(app)
	var taken int64
	if err := tx.Model(&policyRow{}).Where("kind = ? AND name_key = ?", body.Kind, strings.ToLower(name)).Count(&taken).Error; err != nil {
		return nil, wrapErr(err, "look up policy name %q", name)
	}
	if taken > 0 {
		name += " " + newID()[:6]
	}
	at := now()
	row := &policyRow{ID: newID(), Kind: body.Kind, Name: name, NameKey: strings.ToLower(name), Body: body.Body,
		Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := tx.Create(row).Error; err != nil {
		return nil, wrapErr(err, "create policy %q", name)
	}
	return row, nil
}
