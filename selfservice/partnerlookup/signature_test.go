package partnerlookup_test

import (
	"errors"
	"testing"
	"time"

	"foyer/selfservice/partnerlookup"
)

// TestVerify: the receiver's check accepts Sign's header and nothing
// else: another body, secret or time, or a header in pieces.
func TestVerify(t *testing.T) {
	secret, body := []byte("whsec-test"), []byte(`{"code":"ABCD","application_id":"app","timestamp":1800000000}`)
	at := time.Unix(1800000000, 0)
	header := partnerlookup.Sign(secret, at, body)
	if header[:13] != "t=1800000000," {
		t.Errorf("header %q does not start with the timestamp", header)
	}
	if got, err := partnerlookup.Verify(secret, header, body, at.Add(time.Minute), 5*time.Minute); err != nil || !got.Equal(at) {
		t.Errorf("Verify(Sign) = %v, %v", got, err)
	}
	if _, err := partnerlookup.Verify(secret, "v1=00,"+header+",v1=ff", body, at, time.Minute); err != nil {
		t.Errorf("a matching v1 among others: %v", err)
	}
	for name, tc := range map[string]struct {
		secret, body []byte
		header       string
		now          time.Time
	}{
		"other body":      {secret, []byte(`{"code":"ABCE"}`), header, at},
		"other secret":    {[]byte("whsec-other"), body, header, at},
		"too old":         {secret, body, header, at.Add(6 * time.Minute)},
		"from the future": {secret, body, header, at.Add(-6 * time.Minute)},
		"other timestamp": {secret, body, "t=1800000001" + header[12:], at},
		"no signature":    {secret, body, "t=1800000000", at},
		"no timestamp":    {secret, body, header[13:], at},
		"empty":           {secret, body, "", at},
	} {
		if _, err := partnerlookup.Verify(tc.secret, tc.header, tc.body, tc.now, 5*time.Minute); !errors.Is(err, partnerlookup.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
}
