package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type translationPackageRow struct {
	ID            string    `gorm:"column:id;primaryKey"`
	StoreID       string    `gorm:"column:store_id"`
	ApplicationID string    `gorm:"column:application_id"`
	Language      string    `gorm:"column:language"`
	Catalog       string    `gorm:"column:catalog"`
	UpdatedAt     time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
	UpdatedBy     string    `gorm:"column:updated_by"`
}

func (translationPackageRow) TableName() string { return "translation_packages" }

func (r *translationPackageRow) toPackage() (*storage.TranslationPackage, error) {
	cat, err := decodeMap(r.Catalog, "translation_packages.catalog")
	if err != nil {
		return nil, err
	}
	if cat == nil {
		cat = map[string]string{}
	}
	return &storage.TranslationPackage{ID: r.ID, StoreID: r.StoreID, ApplicationID: r.ApplicationID,
		Language: r.Language, Catalog: cat, UpdatedAt: r.UpdatedAt.UTC(), UpdatedBy: r.UpdatedBy}, nil
}

// PutTranslationPackage creates or replaces the package of (store,
// application, language).
func (s *Store) PutTranslationPackage(ctx context.Context, p *storage.TranslationPackage) (*storage.TranslationPackage, error) {
	var previous *storage.TranslationPackage
	err := s.inTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM identity_stores WHERE id = ?`, p.StoreID).Scan(&n).Error; err != nil {
			return wrapErr(err, "put translation package in store %q", p.StoreID)
		}
		if n == 0 {
			return fmt.Errorf("sqlstore: put translation package: store %q: %w", p.StoreID, storage.ErrNotFound)
		}
		row := translationPackageRow{ID: newID(), StoreID: p.StoreID, ApplicationID: p.ApplicationID,
			Language: p.Language, Catalog: encodeJSON(p.Catalog, "{}"), UpdatedAt: orNow(p.UpdatedAt), UpdatedBy: p.UpdatedBy}
		var stored translationPackageRow
		err := tx.Where("store_id = ? AND application_id = ? AND language = ?", p.StoreID, p.ApplicationID, p.Language).Take(&stored).Error
		switch {
		case err == nil:
			if previous, err = stored.toPackage(); err != nil {
				return err
			}
			row.ID = stored.ID
			if err := tx.Save(&row).Error; err != nil {
				return wrapErr(err, "replace translation package %q", stored.ID)
			}
		case errors.Is(err, gorm.ErrRecordNotFound):
			if err := tx.Create(&row).Error; err != nil {
				return wrapErr(err, "create translation package %s/%s/%s", p.StoreID, p.ApplicationID, p.Language)
			}
		default:
			return wrapErr(err, "put translation package")
		}
		p.ID, p.UpdatedAt = row.ID, row.UpdatedAt.UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return previous, nil
}

// GetTranslationPackage reads one package.
func (s *Store) GetTranslationPackage(ctx context.Context, storeID, applicationID, language string) (*storage.TranslationPackage, error) {
	var row translationPackageRow
	err := s.db(ctx).Where("store_id = ? AND application_id = ? AND language = ?", storeID, applicationID, language).Take(&row).Error
	if err != nil {
		return nil, wrapErr(err, "get translation package %s/%s/%s", storeID, applicationID, language)
	}
	return row.toPackage()
}

// ListTranslationPackages lists the packages of a store or application.
func (s *Store) ListTranslationPackages(ctx context.Context, storeID, applicationID string) ([]storage.TranslationPackage, error) {
	var rows []translationPackageRow
	err := s.db(ctx).Where("store_id = ? AND application_id = ?", storeID, applicationID).Order("language").Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list translation packages of %s/%s", storeID, applicationID)
	}
	return packagesOf(rows)
}

// ListScopeTranslationPackages lists the store's packages, then the
// application's: false sorts before true, and 0 before 1 on SQLite.
func (s *Store) ListScopeTranslationPackages(ctx context.Context, storeID, applicationID string) ([]storage.TranslationPackage, error) {
	var rows []translationPackageRow
	err := s.db(ctx).Where("store_id = ? AND application_id IN ?", storeID, []string{"", applicationID}).
		Order("application_id <> '', language").Find(&rows).Error
	if err != nil {
		return nil, wrapErr(err, "list translation packages of %s/%s", storeID, applicationID)
	}
	return packagesOf(rows)
}

func packagesOf(rows []translationPackageRow) ([]storage.TranslationPackage, error) {
	out := make([]storage.TranslationPackage, 0, len(rows))
	for i := range rows {
		p, err := rows[i].toPackage()
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}

// DeleteTranslationPackage removes one package.
func (s *Store) DeleteTranslationPackage(ctx context.Context, storeID, applicationID, language string) error {
	res := s.db(ctx).Where("store_id = ? AND application_id = ? AND language = ?", storeID, applicationID, language).
		Delete(&translationPackageRow{})
	if res.Error != nil {
		return wrapErr(res.Error, "delete translation package %s/%s/%s", storeID, applicationID, language)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("sqlstore: delete translation package %s/%s/%s: %w", storeID, applicationID, language, storage.ErrNotFound)
	}
	return nil
}

// TranslationLanguages returns the distinct languages of all packages.
func (s *Store) TranslationLanguages(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.db(ctx).Raw(`SELECT DISTINCT language FROM translation_packages ORDER BY language`).Scan(&out).Error; err != nil {
		return nil, wrapErr(err, "list translation languages")
	}
	return out, nil
}
