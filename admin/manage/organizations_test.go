package manage

import (
	"strings"
	"testing"
)

// An organization's name may be as long as a self-registered company's
// (storage.MaxOrganizationName), so an operator can edit any stored
// company; one character more is refused.
func TestValidateOrganizationNameLength(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 200)
	if _, err := validateOrganization(OrganizationInput{Name: long}); err != nil {
		t.Errorf("a 200-character name: %v", err)
	}
	if _, err := validateOrganization(OrganizationInput{Name: long + "x"}); err == nil {
		t.Error("a 201-character name was accepted")
	}
}
