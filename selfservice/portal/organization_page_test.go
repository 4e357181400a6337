package portal

// orgCases are the organization pages for TestPagesRenderTheirData.
func orgCases() []pageCase {
	f, shown := testFrame()
	editor := roleView{ID: "role-editor", Name: "Editor Role", Changeable: true, Checked: true}
	fixed := roleView{ID: "role-fixed", Name: "Fixed Role"}
	data := &orgData{frame: f, Name: "Acme Org", RenameURL: "/rename-url", RolesURL: "/roles-url", RemoveURL: "/remove-url",
		InviteURL: "/invite-url", ResendURL: "/resend-url", RevokeURL: "/revoke-url", NextURL: "/next-url", CanInvite: true,
		NewName: "Typed Name", Error: "test.err.page", FieldErrors: map[string]string{"name": "test.err.name", "email": "test.err.email",
			"client_id": "test.err.client", "language": "test.err.language", "role_ids": "test.err.roles", "invite": "test.err.invite"},
		People: []personView{{AccountID: "acct-1", Name: "ada@example.com", Member: true, Self: true, Roles: []roleView{editor, fixed},
			Grantable: []roleView{{ID: "role-grant", Name: "Grantable Role", Changeable: true}}}, {AccountID: "acct-2", Name: "bob@example.com"}},
		Invitations: []invitationView{{ID: "inv-1", Email: "invitee@example.com", Roles: []string{"Invited Role"}, SentAt: when, ExpiresAt: when}},
		Invite: inviteForm{Email: "typed@example.com", Clients: []option{{Value: "client-1", Label: "Client Label", Selected: true}},
			Languages: []option{{Value: "de", Label: "Lang Label", Selected: true}}, Roles: []roleView{editor}}}
	return []pageCase{
		{"organizations", "account_organizations", &orgsData{frame: f, Organizations: []orgLink{{Name: "Org Link", URL: "/org-url"}}},
			append([]string{`href="/org-url">Org Link</a>`}, shown...)},
		{"organization", "account_organization", data, append([]string{"<h1>Acme Org</h1>", `action="/rename-url"`, `action="/roles-url"`,
			`action="/remove-url"`, `action="/invite-url"`, `action="/resend-url"`, `action="/revoke-url"`, `href="/next-url"`,
			`value="Typed Name"`, "test.err.page", `id="org-name-error">test.err.name<`, `id="invite-email-error">test.err.email<`,
			`id="invite-client-error">test.err.client<`, `id="invite-language-error">test.err.language<`, `id="invite-roles-error">test.err.roles<`,
			`id="invite-error">test.err.invite<`, "ada@example.com", "t:account.org.you", "t:account.org.member", `name="account" value="acct-1"`,
			`name="account" value="acct-2"`, "bob@example.com", `name="role" value="role-editor"`, "Fixed Role", `<option value="role-grant">Grantable Role</option>`, "invitee@example.com",
			"Invited Role", `name="invitation" value="inv-1"`, whenTime, whenText, `value="typed@example.com"`,
			`<option value="client-1" selected>Client Label</option>`, `<option value="de" selected>Lang Label</option>`,
			`id="invite-role-role-editor" name="role_ids" type="checkbox" value="role-editor" checked`}, shown...)},
		{"organization, no client", "account_organization", &orgData{frame: f, CanInvite: true},
			append([]string{"t:account.org.invite.no_client", "t:account.org.no_people", "t:account.org.no_invitations"}, shown...)},
		{"remove", "account_organization_remove", &orgRemoveData{frame: f, Organization: "Acme Org", Person: "ada@example.com",
			AccountID: "acct-1", RemoveURL: "/remove-url", CancelURL: "/cancel-url"},
			append([]string{`action="/remove-url"`, `name="account" value="acct-1"`, `href="/cancel-url"`, "ada@example.com", "Acme Org"}, shown...)},
	}
}
