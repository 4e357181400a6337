package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Webhook sends SMS and voice messages as a JSON POST
// {"to": ..., "channel": "sms"|"voice", "text": ...} to a URL the operator
// chose (FOYER_SMS_WEBHOOK_URL); any 2xx answer means the provider took it.
type Webhook struct {
	url    string
	client *http.Client
}

// NewWebhook returns a webhook provider posting to url. client may be nil:
// the default has a 5 s timeout and follows no redirects, so the text (which
// may hold a code) goes only where the operator said.
func NewWebhook(url string, client *http.Client) *Webhook {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Webhook{url: url, client: client}
}

type webhookBody struct {
	// ID is the message's, the same on every retry: a gateway that sees
	// it twice (a send repeated after a crash) can drop the second.
	ID      string `json:"id,omitempty"`
	To      string `json:"to"`
	Channel string `json:"channel"`
	Text    string `json:"text"`
}

// Send posts m. The error never quotes the text or the URL.
func (h *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(webhookBody{ID: m.ID, To: m.To, Channel: m.Channel, Text: m.Text})
	if err != nil {
		return fmt.Errorf("webhook: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if m.ID != "" {
		req.Header.Set("Idempotency-Key", m.ID)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		// url.Error quotes the URL, whose query often holds the
		// gateway's API key: keep only the cause (logged, and kept on
		// the row as its last error).
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook: provider answered status %d", resp.StatusCode)
	}
	return nil
}
