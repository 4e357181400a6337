package manage_test

import (
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func TestGroupsService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		e.newStore(t, "us")
		euAdmin := grantee(storage.RoleAdmin, "eu")
		gold, err := e.groups.Create(ctx, euAdmin, "eu", manage.GroupInput{Name: " gold "})
		if err != nil || gold.Name != "gold" || gold.StoreID != "eu" || gold.Version != 1 {
			t.Fatalf("Create = %+v, %v", gold, err)
		}
		entry := e.lastAudit(t, "group.created")
		if entry.TargetID != gold.ID || entry.StoreID != "eu" || !strings.Contains(entry.After, `"name":"gold"`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.groups.Create(ctx, euAdmin, "eu", manage.GroupInput{Name: "gold"})
		wantErr(t, "Create a taken name", err, manage.ErrConflict)
		_, err = e.groups.Create(ctx, euAdmin, "eu", manage.GroupInput{Name: "no spaces"})
		wantFields(t, "Create a bad name", err, "name")
		_, err = e.groups.Create(ctx, euAdmin, "us", manage.GroupInput{Name: "x"})
		wantErr(t, "Create outside the grant", err, manage.ErrNotFound)
		_, err = e.groups.Create(ctx, support, "eu", manage.GroupInput{Name: "x"})
		wantErr(t, "support Create", err, manage.ErrForbidden)
		_, _, err = e.groups.List(ctx, admin, "nowhere", "", 10)
		wantErr(t, "List an unknown store", err, manage.ErrNotFound)

		silver, err := e.groups.Create(ctx, admin, "eu", manage.GroupInput{Name: "silver"})
		if err != nil {
			t.Fatal(err)
		}
		app := &storage.Application{StoreID: "eu", Name: "Shop"}
		if err := e.s.CreateApplication(ctx, app); err != nil {
			t.Fatal(err)
		}
		if err := e.s.SetPortalSettings(ctx, &storage.PortalSettings{ApplicationID: app.ID, Groups: []string{"silver"}}); err != nil {
			t.Fatal(err)
		}
		_, err = e.groups.Update(ctx, admin, "eu", silver.ID, 1, manage.GroupInput{Name: "bronze"})
		wantErr(t, "Update a group a restriction names", err, manage.ErrConflict)
		wantErr(t, "Delete a group a restriction names", e.groups.Delete(ctx, admin, "eu", silver.ID, 1), manage.ErrConflict)
		page, more, err := e.groups.List(ctx, auditor, "eu", "", 1)
		if err != nil || len(page) != 1 || page[0].Name != "gold" || !more {
			t.Errorf("first page = %+v, more %v, %v", page, more, err)
		}
		page, more, err = e.groups.List(ctx, auditor, "eu", "gold", 1)
		if err != nil || len(page) != 1 || page[0].Name != "silver" || more {
			t.Errorf("second page = %+v, more %v, %v", page, more, err)
		}

		renamed, err := e.groups.Update(ctx, euAdmin, "eu", gold.ID, 1, manage.GroupInput{Name: "platinum"})
		if err != nil || renamed.Name != "platinum" || renamed.Version != 2 {
			t.Fatalf("Update = %+v, %v", renamed, err)
		}
		entry = e.lastAudit(t, "group.renamed")
		if !strings.Contains(entry.Before, `"name":"gold"`) || !strings.Contains(entry.After, `"name":"platinum"`) {
			t.Errorf("rename entry = %+v", entry)
		}
		_, err = e.groups.Update(ctx, euAdmin, "eu", gold.ID, 1, manage.GroupInput{Name: "lost"})
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		_, err = e.groups.Update(ctx, admin, "us", gold.ID, 0, manage.GroupInput{Name: "moved"})
		wantErr(t, "Update through another store", err, manage.ErrNotFound)

		acct := &storage.Account{StoreID: "eu", Email: "m@example.com"}
		other := &storage.Account{StoreID: "us", Email: "m@example.com"}
		for _, a := range []*storage.Account{acct, other} {
			if err := e.s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.groups.AddMember(ctx, support, "eu", gold.ID, acct.ID); err != nil {
			t.Fatalf("support AddMember: %v", err)
		}
		entry = e.lastAudit(t, "group.member_added")
		if entry.Role != storage.RoleSupport || !strings.Contains(entry.After, acct.ID) {
			t.Errorf("membership entry = %+v", entry)
		}
		wantErr(t, "AddMember of another store's account", e.groups.AddMember(ctx, support, "eu", gold.ID, other.ID), manage.ErrNotFound)
		wantErr(t, "auditor AddMember", e.groups.AddMember(ctx, auditor, "eu", gold.ID, acct.ID), manage.ErrForbidden)
		if err := e.groups.RemoveMember(ctx, support, "eu", gold.ID, acct.ID); err != nil {
			t.Fatalf("RemoveMember: %v", err)
		}
		e.lastAudit(t, "group.member_removed")
		wantErr(t, "RemoveMember again", e.groups.RemoveMember(ctx, support, "eu", gold.ID, acct.ID), manage.ErrNotFound)

		wantErr(t, "Delete at an old version", e.groups.Delete(ctx, euAdmin, "eu", gold.ID, 1), manage.ErrStale)
		if err := e.groups.Delete(ctx, euAdmin, "eu", gold.ID, 2); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.lastAudit(t, "group.deleted")
		_, err = e.groups.Get(ctx, euAdmin, "eu", gold.ID)
		wantErr(t, "Get a deleted group", err, manage.ErrNotFound)
	})
}

func TestRolesService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		editor, err := e.roles.Create(ctx, admin, "eu", manage.RoleInput{Name: "Editor", Description: "Edits"})
		if err != nil || editor.Version != 1 || editor.Description != "Edits" {
			t.Fatalf("Create = %+v, %v", editor, err)
		}
		entry := e.lastAudit(t, "role.created")
		if entry.TargetType != "role" || entry.TargetID != editor.ID || entry.StoreID != "eu" {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.roles.Create(ctx, admin, "eu", manage.RoleInput{Name: "EDITOR"})
		wantErr(t, "Create a taken name in another case", err, manage.ErrConflict)
		_, err = e.roles.Create(ctx, admin, "eu", manage.RoleInput{Name: "", Description: strings.Repeat("d", 501)})
		wantFields(t, "Create bad input", err, "name", "description")
		_, err = e.roles.Create(ctx, auditor, "eu", manage.RoleInput{Name: "x"})
		wantErr(t, "auditor Create", err, manage.ErrForbidden)
		_, err = e.roles.Create(ctx, admin, "nowhere", manage.RoleInput{Name: "x"})
		wantErr(t, "Create in an unknown store", err, manage.ErrNotFound)

		updated, err := e.roles.Update(ctx, admin, "eu", editor.ID, 1, manage.RoleInput{Name: "Writer"})
		if err != nil || updated.Name != "Writer" || updated.Description != "" || updated.Version != 2 {
			t.Fatalf("Update = %+v, %v", updated, err)
		}
		e.lastAudit(t, "role.updated")
		_, err = e.roles.Update(ctx, admin, "eu", editor.ID, 1, manage.RoleInput{Name: "Lost"})
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		list, more, err := e.roles.List(ctx, support, "eu", "", 10)
		if err != nil || len(list) != 1 || list[0].Name != "Writer" || more {
			t.Errorf("List = %+v, %v, %v", list, more, err)
		}
		wantErr(t, "support Delete", e.roles.Delete(ctx, support, "eu", editor.ID, 2), manage.ErrForbidden)
		if err := e.roles.Delete(ctx, admin, "eu", editor.ID, 2); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.lastAudit(t, "role.deleted")
	})
}

func TestOrganizationsService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		acme, err := e.orgs.Create(ctx, admin, "eu", manage.OrganizationInput{Name: "Acme", Partner: true,
			Domains: []string{" Acme.COM. ", "acme.de"}})
		if err != nil || !acme.Partner || strings.Join(acme.Domains, ",") != "acme.com,acme.de" {
			t.Fatalf("Create = %+v, %v", acme, err)
		}
		entry := e.lastAudit(t, "organization.created")
		if !strings.Contains(entry.After, `"domains":["acme.com","acme.de"]`) || !strings.Contains(entry.After, `"partner":true`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = e.orgs.Create(ctx, admin, "eu", manage.OrganizationInput{Name: "Globex", Domains: []string{"acme.de"}})
		wantErr(t, "Create with a taken domain", err, manage.ErrConflict)
		_, err = e.orgs.Create(ctx, admin, "eu", manage.OrganizationInput{Name: "",
			Domains: []string{"ok.example", "localhost", "-bad.example", "ok.example", "a_b.example"}})
		wantFields(t, "Create bad input", err, "name", "domains[1]", "domains[2]", "domains[3]", "domains[4]")
		_, err = e.orgs.Create(ctx, grantee(storage.RoleAdmin, "us"), "eu", manage.OrganizationInput{Name: "X"})
		wantErr(t, "Create outside the grant", err, manage.ErrNotFound)

		updated, err := e.orgs.Update(ctx, admin, "eu", acme.ID, 1, manage.OrganizationInput{Name: "Acme Corp", Domains: []string{"acme.org"}})
		if err != nil || updated.Partner || updated.Version != 2 || strings.Join(updated.Domains, ",") != "acme.org" {
			t.Fatalf("Update = %+v, %v", updated, err)
		}
		entry = e.lastAudit(t, "organization.updated")
		if !strings.Contains(entry.Before, `"partner":true`) || !strings.Contains(entry.After, `"partner":false`) {
			t.Errorf("update entry = %+v", entry)
		}
		_, err = e.orgs.Update(ctx, admin, "eu", acme.ID, 1, manage.OrganizationInput{Name: "Lost"})
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		got, err := e.orgs.Get(ctx, auditor, "eu", acme.ID)
		if err != nil || got.Name != "Acme Corp" {
			t.Errorf("Get = %+v, %v", got, err)
		}
		if _, err := e.orgs.Create(ctx, admin, "eu", manage.OrganizationInput{Name: "Globex", Domains: []string{"acme.de"}}); err != nil {
			t.Errorf("Create with a released domain: %v", err)
		}
		list, more, err := e.orgs.List(ctx, admin, "eu", "", 1)
		if err != nil || len(list) != 1 || list[0].SortKey() != "acme corp" || !more {
			t.Errorf("List = %+v, %v, %v", list, more, err)
		}
		wantErr(t, "Delete at an old version", e.orgs.Delete(ctx, admin, "eu", acme.ID, 1), manage.ErrStale)
		if err := e.orgs.Delete(ctx, admin, "eu", acme.ID, 2); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.lastAudit(t, "organization.deleted")
	})
}
