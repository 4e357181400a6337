package selfservice

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"time"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// recoveryCodeLifetime: recovery codes last until used or replaced; the
// one-time secret table needs an expiry, so it is ten years away.
const recoveryCodeLifetime = 10 * 365 * 24 * time.Hour

// showRecoveryCodes is the page that shows new recovery codes, once.
func (s enrollStep) showRecoveryCodes(f *Flow, codes []string) View {
	f.State.MFA.CodesShown = true
	text := strings.Join(codes, "\n") + "\n"
	return View{Template: "mfa", Data: &mfaData{Step: stepEnroll, RecoveryCodes: codes, RecoveryText: text,
		RecoveryDownload: recoveryDownload(text)}}
}

// recoveryDownload is a data: URL of the codes as a text file. The codes
// are shown once and never stored readable, so no route could serve them
// later; the link carries them itself and the browser saves it (an <a
// download> to a data: URL needs no script and is a download, not a
// navigation, so the page's CSP does not stand in its way).
func recoveryDownload(text string) template.URL {
	// Made here from generated codes only: nothing of the request's.
	return template.URL("data:text/plain;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(text))) //nolint:gosec // G203: server-made URL
}

// newRecoveryCodesIfNone creates ten recovery codes unless the account has
// live ones.
func (s enrollStep) newRecoveryCodesIfNone(ctx context.Context, accountID string) ([]string, error) {
	n, err := s.store.CountUsableOneTimeSecrets(ctx, accountID, purposeRecoveryCode, s.now().UTC())
	if err != nil || n > 0 {
		return nil, err
	}
	return s.replaceRecoveryCodes(ctx, accountID)
}

// replaceRecoveryCodes discards the account's recovery codes and stores
// ten new ones (hashed); the plain codes are returned to show once.
func (s enrollStep) replaceRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	codes, err := mfa.NewRecoveryCodes()
	if err != nil {
		return nil, fmt.Errorf("selfservice: new recovery codes: %w", err)
	}
	if _, err := s.store.DeleteOneTimeSecrets(ctx, accountID, purposeRecoveryCode); err != nil {
		return nil, fmt.Errorf("selfservice: drop recovery codes: %w", err)
	}
	now := s.now().UTC()
	for _, c := range codes {
		err := s.store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: purposeRecoveryCode,
			Hash: mfa.RecoveryCodeHash(accountID, c), AccountID: accountID, CreatedAt: now, ExpiresAt: now.Add(recoveryCodeLifetime)})
		if err != nil {
			return nil, fmt.Errorf("selfservice: store recovery code: %w", err)
		}
	}
	return codes, nil
}
