package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// confirmLink opens a link from a message like a customer does: the GET
// shows a confirmation page, and its button posts the token.
func confirmLink(t *testing.T, b *browser, link string) *page {
	t.Helper()
	p := b.get(link)
	if p.status != http.StatusOK || !strings.Contains(p.body, `<form method="post"`) || !strings.Contains(p.body, `name="token"`) {
		t.Fatalf("GET %s: no confirmation form: %d\n%s", link, p.status, p.body)
	}
	return b.submit(p, nil)
}

// deadLink opens a used, expired or forged link: the GET says so at once
// with no confirmation button, and a confirmation page opened while the
// link was live, submitted now, gets the same answer. It returns the GET's
// page after checking both carry want with status 400.
func deadLink(t *testing.T, b *browser, link, want string) *page {
	t.Helper()
	opened := b.get(link)
	if opened.status != http.StatusBadRequest || !strings.Contains(opened.body, want) || strings.Contains(opened.body, `name="token"`) {
		t.Errorf("GET %s: %d, want 400 with %q and no confirmation form\n%s", link, opened.status, want, opened.body)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, u.Scheme+"://"+u.Host+u.Path, strings.NewReader(u.Query().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err := b.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u.Path, err)
	}
	confirmed := readPage(t, resp)
	if confirmed.status != http.StatusBadRequest || !strings.Contains(confirmed.body, want) {
		t.Errorf("confirming %s: %d, want 400 with %q\n%s", link, confirmed.status, want, confirmed.body)
	}
	return opened
}
