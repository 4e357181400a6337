package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// githubEmail sets the claims email and email_verified from GitHub's list
// of the person's addresses (GET /user/emails, beside the user info):
// /user's email is the public profile address, often null, and says
// nothing of verification. The primary address counts when GitHub has
// verified it; otherwise email_verified is false. A token not allowed to
// read the list (4xx) leaves the address unverified; an outage is
// ErrUnavailable.
func (c *Client) githubEmail(ctx context.Context, userInfoURL string, tok *oauth2.Token, claims map[string]any) error {
	claims["email_verified"] = false
	u, err := url.Parse(userInfoURL)
	if err != nil {
		return fmt.Errorf("github user info URL: %w", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/emails"
	u.RawPath = ""
	var list []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := c.getJSON(ctx, u.String(), tok, &list); err != nil {
		if errors.Is(err, ErrUnavailable) {
			return fmt.Errorf("github e-mail addresses: %w", err)
		}
		return nil
	}
	for _, e := range list {
		if e.Primary && e.Verified && e.Email != "" {
			claims["email"] = e.Email
			claims["email_verified"] = true
		}
	}
	return nil
}
