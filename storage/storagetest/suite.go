package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"foyer/storage"
)

// Run runs the suite. newStore must return a fresh, migrated store with no
// rows; it is called once per area from parallel subtests, and the store is
// the caller's to close (with t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	areas := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"IdentityStores", testIdentityStores},
		{"Accounts", testAccounts},
		{"AccountIdentifiers", testAccountIdentifiers},
		{"AccountSearchIdentifiers", testAccountSearchIdentifiers},
		{"AccountSearchAttributes", testAccountSearchAttributes},
		{"AccountSearchFilters", testAccountSearchFilters},
		{"AccountSearchOrders", testAccountSearchOrders},
		{"AccountSearchRelations", testAccountSearchRelations},
		{"AccountSearchUnstorableText", testAccountSearchUnstorableText},
		{"PinnedSearchFields", testPinnedSearchFields},
		{"Passwords", testPasswords},
		{"ClearCredentials", testClearCredentials},
		{"Applications", testApplications},
		{"SelfServicePolicy", testSelfServicePolicy},
		{"Clients", testClients},
		{"ClientVersions", testClientVersions},
		{"ClientAssertions", testClientAssertions},
		{"Sessions", testSessions},
		{"SessionsByAccount", testSessionsByAccount},
		{"SessionClients", testSessionClients},
		{"TokensInSession", testTokensInSession},
		{"LogoutNotices", testLogoutNotices},
		{"LogoutNoticeClaimRace", testLogoutNoticeClaimRace},
		{"Notifications", testNotifications},
		{"NotificationClaimRace", testNotificationClaimRace},
		{"DeferredRequests", testDeferredRequests},
		{"DeferredRequestClaimRace", testDeferredRequestClaimRace},
		{"Interactions", testInteractions},
		{"Tokens", testTokens},
		{"TokensBySignature", testTokensBySignature},
		{"UseCode", testUseCode},
		{"TokenFamilies", testTokenFamilies},
		{"TokensBySubject", testTokensBySubject},
		{"ParallelRefreshRotation", testParallelRefreshRotation},
		{"Grants", testGrants},
		{"RevokeGrant", testRevokeGrant},
		{"ParallelSaveGrant", testParallelSaveGrant},
		{"SigningKeys", testSigningKeys},
		{"Events", testEvents},
		{"Settings", testSettings},
		{"Transactions", testTransactions},
		{"LoginAttempts", testLoginAttempts},
		{"RecordAttempts", testRecordAttempts},
		{"TallyAttemptWindows", testTallyAttemptWindows},
		{"AttemptCounters", testAttemptCounters},
		{"CounterBound", testCounterBound},
		{"ParallelCounters", testParallelCounters},
		{"InitialAccessTokens", testInitialAccessTokens},
		{"OneTimeSecrets", testOneTimeSecrets},
		{"ActivateAccount", testActivateAccount},
		{"ConsentRecords", testConsentRecords},
		{"Authenticators", testAuthenticators},
		{"ParallelTOTPStep", testParallelTOTPStep},
		{"ConfirmContact", testConfirmContact},
		{"MFAPolicy", testMFAPolicy},
		{"ConsentPolicy", testConsentPolicy},
		{"OutdateConsents", testOutdateConsents},
		{"RecoveryCodeSecrets", testRecoveryCodeSecrets},
		{"ListLoginAttempts", testListLoginAttempts},
		{"PurgeExpired", testPurgeExpired},
		{"Leases", testLeases},
		{"Ping", testPing},
		{"AdminGrants", testAdminGrants},
		{"AuditLog", testAuditLog},
		{"ParallelAuditAppends", testParallelAuditAppends},
		{"MoveAccountToStore", testMoveAccountToStore},
		{"LockAdminGrants", testLockAdminGrants},
		{"AccountRoles", testAccountRoles},
		{"AccountRolesAcrossStores", testAccountRolesAcrossStores},
		{"OrganizationMembers", testOrganizationMembers},
		{"AccountRolesCascade", testAccountRolesCascade},
		{"AccountRolesMove", testAccountRolesMove},
	}
	areas = append(areas, accountJobAreas...)
	areas = append(areas, verificationAreas...)
	areas = append(areas, onboardingAreas...)
	areas = append(areas, orgPeopleAreas...)
	areas = append(areas, messageTemplateAreas...)
	for _, a := range append(append(append(append(append(append(areas, portalAreas...), storeConfigAreas...), policyAreas...), eventPageAreas...), upstreamAreas...), translationAreas...) {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			a.fn(t, newStore(t))
		})
	}
}

// counter makes values unique within one store.
var counter atomic.Int64

func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, counter.Add(1)) }

// at is a fixed, second-aligned reference time plus d; tests add odd
// nanoseconds to check that stores keep at least millisecond precision.
func at(d time.Duration) time.Time {
	return time.Now().UTC().Truncate(time.Second).Add(d)
}

// sameTime compares at millisecond precision: databases keep microseconds,
// some keep a different zone.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Truncate(time.Millisecond).Equal(want.Truncate(time.Millisecond)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error = %v, want %v", what, err, target)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// equalStrings treats nil and empty alike: stores may return either.
func equalStrings[T ~string](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// race runs fn from n goroutines released at once and returns their
// errors in goroutine order.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func testPing(t *testing.T, s storage.Store) {
	must(t, "Ping", s.Ping(t.Context()))
}

func isErr(err, target error) bool { return errors.Is(err, target) }
