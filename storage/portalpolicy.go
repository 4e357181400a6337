package storage

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// SlugPattern is what a friendly URL slug may be: short and easy to read
// out on the phone.
var SlugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// GroupNamePattern is what a group may be called: it must be namable in a
// comma-separated list.
var GroupNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ErrInvalidPortalPolicy wraps every problem PortalPolicy.Validate finds.
var ErrInvalidPortalPolicy = errors.New("invalid portal policy")

// Validate reports every malformed group name at once (whether the groups
// exist is a question for each application's identity store).
func (p PortalPolicy) Validate() error {
	var problems []string
	seen := map[string]bool{}
	for _, g := range p.Groups {
		if !GroupNamePattern.MatchString(g) {
			problems = append(problems, fmt.Sprintf("group %q: 1 to 64 letters, digits, '_', '.' and '-'", g))
		}
		if seen[g] {
			problems = append(problems, fmt.Sprintf("group %q appears twice", g))
		}
		seen[g] = true
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidPortalPolicy, strings.Join(problems, "; "))
	}
	return nil
}
