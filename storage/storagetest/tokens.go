package storagetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"foyer/storage"
)

func newToken(clientID string, kind storage.TokenKind, requestID string) *storage.Token {
	return &storage.Token{Kind: kind, Signature: unique("sig"), RequestID: requestID, ClientID: clientID,
		Subject: "acct-1", SessionID: "sess-1", Active: true, Data: []byte(`{"requester":"serialised"}`),
		ExpiresAt: at(time.Hour)}
}

func testTokens(t *testing.T, s storage.Store) {
	ctx := t.Context()
	want := newToken("client-1", storage.TokenRefresh, "req-1")
	want.Data = []byte{0, 1, 2, 0xff, '{'}
	want.CreatedAt = at(-time.Second + 5*time.Millisecond)
	must(t, "CreateToken", s.CreateToken(ctx, want))
	got, err := s.GetToken(ctx, want.Kind, want.Signature)
	must(t, "GetToken", err)
	checkToken(t, got, want)

	wantErr(t, "CreateToken duplicate signature", s.CreateToken(ctx, newTokenLike(want)), storage.ErrConflict)
	sameSigOtherKind := newTokenLike(want)
	sameSigOtherKind.Kind = storage.TokenAccess
	must(t, "CreateToken same signature, other kind", s.CreateToken(ctx, sameSigOtherKind))

	for _, c := range []struct {
		kind storage.TokenKind
		sig  string
	}{{storage.TokenRefresh, "missing"}, {storage.TokenAuthorizeCode, want.Signature}} {
		_, err := s.GetToken(ctx, c.kind, c.sig)
		wantErr(t, "GetToken "+string(c.kind)+" "+c.sig, err, storage.ErrNotFound)
	}

	// A deactivated token is still returned, with ErrInactive.
	must(t, "DeactivateToken", s.DeactivateToken(ctx, want.Kind, want.Signature))
	got, err = s.GetToken(ctx, want.Kind, want.Signature)
	wantErr(t, "GetToken after DeactivateToken", err, storage.ErrInactive)
	if got == nil || got.Signature != want.Signature || got.Active || got.RequestID != want.RequestID {
		t.Errorf("GetToken of inactive token = %+v, want the token with Active false", got)
	}
	wantErr(t, "DeactivateToken twice", s.DeactivateToken(ctx, want.Kind, want.Signature), storage.ErrNotFound)
	wantErr(t, "DeactivateToken missing", s.DeactivateToken(ctx, want.Kind, "missing"), storage.ErrNotFound)
	if _, err := s.GetToken(ctx, storage.TokenAccess, want.Signature); err != nil {
		t.Errorf("DeactivateToken of one kind touched another: GetToken = %v", err)
	}

	must(t, "DeleteToken", s.DeleteToken(ctx, want.Kind, want.Signature))
	_, err = s.GetToken(ctx, want.Kind, want.Signature)
	wantErr(t, "GetToken after DeleteToken", err, storage.ErrNotFound)
	wantErr(t, "DeleteToken missing", s.DeleteToken(ctx, want.Kind, want.Signature), storage.ErrNotFound)
}

// testTokensBySignature: the code, PKCE and OpenID Connect records of one
// code come back together, inactive ones included, other signatures not.
func testTokensBySignature(t *testing.T, s storage.Store) {
	ctx := t.Context()
	code := newToken("client-1", storage.TokenAuthorizeCode, "req-1")
	pkce := newTokenLike(code)
	pkce.Kind = storage.TokenPKCE
	other := newToken("client-1", storage.TokenPKCE, "req-2")
	access := newTokenLike(code)
	access.Kind = storage.TokenAccess
	for _, tok := range []*storage.Token{code, pkce, other, access} {
		must(t, "CreateToken", s.CreateToken(ctx, tok))
	}
	must(t, "DeactivateToken", s.DeactivateToken(ctx, code.Kind, code.Signature))
	kinds := []storage.TokenKind{storage.TokenAuthorizeCode, storage.TokenPKCE, storage.TokenOIDC}
	got, err := s.GetTokensBySignature(ctx, code.Signature, kinds)
	must(t, "GetTokensBySignature", err)
	if len(got) != 2 {
		t.Fatalf("GetTokensBySignature returned %d tokens, want the code and its PKCE record: %+v", len(got), got)
	}
	for i := range got {
		want := pkce
		if got[i].Kind == storage.TokenAuthorizeCode {
			want = newTokenLike(code)
			want.Active = false
		}
		checkToken(t, &got[i], want)
	}
	none, err := s.GetTokensBySignature(ctx, "missing", kinds)
	if err != nil || len(none) != 0 {
		t.Fatalf("GetTokensBySignature(missing) = %v, %v; want nothing", none, err)
	}

	n, err := s.DeleteTokensBySignature(ctx, code.Signature, []storage.TokenKind{storage.TokenPKCE, storage.TokenOIDC})
	if err != nil || n != 1 {
		t.Fatalf("DeleteTokensBySignature = %d, %v; want the PKCE record only", n, err)
	}
	left, err := s.GetTokensBySignature(ctx, code.Signature, kinds)
	if err != nil || len(left) != 1 || left[0].Kind != storage.TokenAuthorizeCode {
		t.Fatalf("after DeleteTokensBySignature: %+v, %v; want just the code", left, err)
	}
	if _, err := s.GetToken(ctx, storage.TokenAccess, code.Signature); err != nil {
		t.Fatalf("DeleteTokensBySignature touched another kind: %v", err)
	}
	if _, err := s.GetToken(ctx, other.Kind, other.Signature); err != nil {
		t.Fatalf("DeleteTokensBySignature touched another signature: %v", err)
	}
}

func newTokenLike(t *storage.Token) *storage.Token {
	c := *t
	return &c
}

func checkToken(t *testing.T, got, want *storage.Token) {
	t.Helper()
	if got.Kind != want.Kind || got.Signature != want.Signature || got.RequestID != want.RequestID ||
		got.ClientID != want.ClientID || got.Subject != want.Subject || got.SessionID != want.SessionID ||
		got.Active != want.Active || !bytes.Equal(got.Data, want.Data) {
		t.Errorf("GetToken = %+v, want %+v", got, want)
	}
	sameTime(t, "token CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "token ExpiresAt", got.ExpiresAt, want.ExpiresAt)
}

func testTokenFamilies(t *testing.T, s storage.Store) {
	ctx := t.Context()
	create := func(kind storage.TokenKind, requestID string, expires time.Time) *storage.Token {
		tok := newToken("client-1", kind, requestID)
		tok.ExpiresAt = expires
		must(t, "CreateToken", s.CreateToken(ctx, tok))
		return tok
	}
	later, earlier := at(time.Hour), at(-time.Hour)
	family := []*storage.Token{create(storage.TokenAccess, "req-a", later), create(storage.TokenAccess, "req-a", later)}
	refresh := create(storage.TokenRefresh, "req-a", later)
	stranger := create(storage.TokenAccess, "req-b", later)

	n, err := s.RevokeTokensByRequestID(ctx, storage.TokenAccess, "req-a")
	if err != nil || n != 2 {
		t.Errorf("RevokeTokensByRequestID = %d, %v; want 2", n, err)
	}
	for _, tok := range family {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		wantErr(t, "GetToken of revoked family", err, storage.ErrNotFound)
	}
	for _, tok := range []*storage.Token{refresh, stranger} {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		must(t, "GetToken of another kind or family", err)
	}
	n, err = s.RevokeTokensByRequestID(ctx, storage.TokenAccess, "req-a")
	if err != nil || n != 0 {
		t.Errorf("RevokeTokensByRequestID again = %d, %v; want 0", n, err)
	}

	expired := []*storage.Token{create(storage.TokenAuthorizeCode, "req-c", earlier), create(storage.TokenPKCE, "req-c", earlier)}
	// A batch deletes no more than its limit; the next takes the rest.
	n, err = s.DeleteExpiredTokens(ctx, time.Now(), 1)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredTokens(limit 1) = %d, %v; want 1", n, err)
	}
	n, err = s.DeleteExpiredTokens(ctx, time.Now(), 10)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredTokens(limit 10) = %d, %v; want the other 1", n, err)
	}
	for _, tok := range expired {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		wantErr(t, "GetToken of expired token", err, storage.ErrNotFound)
	}
	for _, tok := range []*storage.Token{refresh, stranger} {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		must(t, "GetToken of unexpired token", err)
	}
}

// testParallelRefreshRotation is two (here sixteen) clients refreshing with
// one refresh token at once, across nodes: exactly one may rotate it.
func testParallelRefreshRotation(t *testing.T, s storage.Store) {
	ctx := t.Context()
	const n = 16
	t.Run("DeactivateToken", func(t *testing.T) {
		tok := newToken("client-1", storage.TokenRefresh, "req-par")
		must(t, "CreateToken", s.CreateToken(ctx, tok))
		errs := race(n, func(int) error { return s.DeactivateToken(ctx, tok.Kind, tok.Signature) })
		checkOneWinner(t, "DeactivateToken", errs, storage.ErrNotFound)
	})
	t.Run("in transactions", func(t *testing.T) {
		tok := newToken("client-1", storage.TokenRefresh, "req-tx")
		must(t, "CreateToken", s.CreateToken(ctx, tok))
		errs := race(n, func(int) error { return rotate(s, t, tok) })
		// Losers either saw the token already rotated or lost the update.
		checkOneWinner(t, "rotation", errs, storage.ErrInactive, storage.ErrNotFound)
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		wantErr(t, "GetToken of rotated token", err, storage.ErrInactive)
	})
}

// rotate is what a token endpoint does on refresh: in one transaction,
// read the refresh token, deactivate it and issue its successor. Reading
// first matters: on SQLite a transaction that reads and then writes must
// hold the write lock from the start or it fails with "database is locked".
func rotate(s storage.Store, t *testing.T, old *storage.Token) error {
	txCtx, err := s.BeginTx(t.Context())
	if err != nil {
		return err
	}
	if _, err := s.GetToken(txCtx, old.Kind, old.Signature); err != nil {
		_ = s.Rollback(txCtx)
		return err
	}
	if err := s.DeactivateToken(txCtx, old.Kind, old.Signature); err != nil {
		_ = s.Rollback(txCtx)
		return err
	}
	if err := s.CreateToken(txCtx, newToken(old.ClientID, old.Kind, old.RequestID)); err != nil {
		_ = s.Rollback(txCtx)
		return err
	}
	return s.Commit(txCtx)
}

// testTokensBySubject: revoking an account's tokens takes every client's
// records for it and leaves other accounts' and subject-less ones alone.
func testTokensBySubject(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mine := []*storage.Token{newToken("client-1", storage.TokenRefresh, "r1"), newToken("client-2", storage.TokenAccess, "r2")}
	theirs := newToken("client-1", storage.TokenRefresh, "r3")
	theirs.Subject = "acct-2"
	machine := newToken("client-1", storage.TokenAccess, "r4")
	machine.Subject = ""
	for _, tok := range append(mine, theirs, machine) {
		must(t, "CreateToken", s.CreateToken(ctx, tok))
	}
	n, err := s.RevokeTokensBySubject(ctx, "acct-1")
	if err != nil || n != 2 {
		t.Fatalf("RevokeTokensBySubject = %d, %v; want 2", n, err)
	}
	for _, tok := range mine {
		if _, err := s.GetToken(ctx, tok.Kind, tok.Signature); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s of the account survived: %v", tok.Kind, err)
		}
	}
	for _, tok := range []*storage.Token{theirs, machine} {
		if _, err := s.GetToken(ctx, tok.Kind, tok.Signature); err != nil {
			t.Errorf("token of subject %q was revoked: %v", tok.Subject, err)
		}
	}
	if _, err := s.RevokeTokensBySubject(ctx, ""); err == nil {
		t.Error("an empty subject must not match every subject-less token")
	}
}

// testUseCode: a code exchange's write uses the code, drops its companions
// and stores the tokens together; a used code, a missing one and a taken
// token signature change nothing; of racing exchanges exactly one wins.
func testUseCode(t *testing.T, s storage.Store) {
	ctx := t.Context()
	companions := []storage.TokenKind{storage.TokenPKCE, storage.TokenOIDC}
	newCode := func(requestID string) (code *storage.Token, others []*storage.Token) {
		code = newToken("client-1", storage.TokenAuthorizeCode, requestID)
		must(t, "CreateToken", s.CreateToken(ctx, code))
		for _, kind := range companions {
			c := newTokenLike(code)
			c.Kind = kind
			must(t, "CreateToken", s.CreateToken(ctx, c))
			others = append(others, c)
		}
		return code, others
	}
	issue := func(requestID string) []*storage.Token {
		return []*storage.Token{newToken("client-1", storage.TokenAccess, requestID),
			newToken("client-1", storage.TokenRefresh, requestID)}
	}
	stored := func(tok *storage.Token) error {
		_, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		return err
	}

	code, others := newCode("req-use")
	tokens := issue("req-use")
	tokens[1].ExpiresAt = time.Time{} // never expires
	must(t, "UseCode", s.UseCode(ctx, code.Signature, companions, tokens))
	wantErr(t, "GetToken of the used code", stored(code), storage.ErrInactive)
	for _, c := range others {
		wantErr(t, "GetToken of a used code's "+string(c.Kind), stored(c), storage.ErrNotFound)
	}
	for _, tok := range tokens {
		got, err := s.GetToken(ctx, tok.Kind, tok.Signature)
		must(t, "GetToken of an issued "+string(tok.Kind), err)
		checkToken(t, got, tok)
	}
	if got, err := s.GetToken(ctx, tokens[1].Kind, tokens[1].Signature); err == nil && !got.ExpiresAt.IsZero() {
		t.Errorf("a token issued without expiry expires at %v", got.ExpiresAt)
	}

	again := issue("req-use")
	wantErr(t, "UseCode of a used code", s.UseCode(ctx, code.Signature, companions, again), storage.ErrNotFound)
	wantErr(t, "UseCode of a missing code", s.UseCode(ctx, "missing", companions, again), storage.ErrNotFound)
	for _, tok := range again {
		wantErr(t, "GetToken of a token issued for a used code", stored(tok), storage.ErrNotFound)
	}

	// A taken signature fails the whole write: the code can still be used.
	code, others = newCode("req-conflict")
	clash := issue("req-conflict")
	clash[1].Signature = tokens[1].Signature
	wantErr(t, "UseCode with a taken signature", s.UseCode(ctx, code.Signature, companions, clash), storage.ErrConflict)
	must(t, "GetToken of the code after a failed UseCode", stored(code))
	for _, tok := range append(others, code) {
		must(t, "GetToken of "+string(tok.Kind)+" after a failed UseCode", stored(tok))
	}
	wantErr(t, "GetToken of a token of a failed UseCode", stored(clash[0]), storage.ErrNotFound)

	// Racing exchanges of one code: one stores its tokens, no other does.
	const n = 16
	code, _ = newCode("req-race")
	issued := make([][]*storage.Token, n)
	for i := range issued {
		issued[i] = issue("req-race")
	}
	errs := race(n, func(i int) error { return s.UseCode(ctx, code.Signature, companions, issued[i]) })
	checkOneWinner(t, "UseCode", errs, storage.ErrNotFound)
	for i, err := range errs {
		for _, tok := range issued[i] {
			if got := stored(tok); (err == nil) != (got == nil) {
				t.Errorf("UseCode %d returned %v, and its %s reads %v", i, err, tok.Kind, got)
			}
		}
	}

	// Exchanges of different codes at once (a store may write them
	// together): each gets its own answer, and one with a taken token
	// signature fails alone, leaving its code unused.
	codes := make([]*storage.Token, n)
	issued = make([][]*storage.Token, n)
	for i := range codes {
		codes[i], _ = newCode("req-many")
		issued[i] = issue("req-many")
	}
	issued[3][0].Signature = tokens[0].Signature // taken
	errs = race(n, func(i int) error { return s.UseCode(ctx, codes[i].Signature, companions, issued[i]) })
	for i, err := range errs {
		if i == 3 {
			wantErr(t, "UseCode with a taken signature among others", err, storage.ErrConflict)
			must(t, "GetToken of its code", stored(codes[i]))
			continue
		}
		must(t, "UseCode among others", err)
		wantErr(t, "GetToken of a code used among others", stored(codes[i]), storage.ErrInactive)
		for _, tok := range issued[i] {
			must(t, "GetToken of a token issued among others", stored(tok))
		}
	}
}
