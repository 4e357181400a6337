package storage_test

import (
	"strings"
	"testing"

	"foyer/storage"
)

func TestValidIdentifier(t *testing.T) {
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com" // 254
	tests := []struct {
		kind  storage.IdentifierType
		value string
		want  bool
	}{
		{storage.IdentifierEmail, "alice@example.com", true},
		{storage.IdentifierEmail, "Alice.Smith+shop@mail.example.co.uk", true},
		{storage.IdentifierEmail, "jürgen@bücher.example", true},
		{storage.IdentifierEmail, long, true},
		{storage.IdentifierEmail, long + "m", false}, // 255 bytes
		{storage.IdentifierEmail, "a@localhost", false},
		{storage.IdentifierEmail, "a@[192.0.2.1]", false},
		{storage.IdentifierEmail, "Alice <alice@example.com>", false},
		{storage.IdentifierEmail, `"a b"@example.com`, false},
		{storage.IdentifierEmail, " alice@example.com", false},
		{storage.IdentifierEmail, "alice@example..com", false},
		{storage.IdentifierEmail, "alice", false},
		{storage.IdentifierEmail, "", false},
		{storage.IdentifierPhone, "+41791234567", true},
		{storage.IdentifierPhone, "+123456789012345", true},
		{storage.IdentifierPhone, "+1234567890123456", false}, // 16 digits
		{storage.IdentifierPhone, "+0791234567", false},
		{storage.IdentifierPhone, "0791234567", false},
		{storage.IdentifierPhone, "+41 79 123 45 67", false}, // CleanIdentifier first
		{storage.IdentifierPhone, "+123456", false},
		{storage.IdentifierUsername, "alice_1", true},
		{storage.IdentifierUsername, "Zoë", true},
		{storage.IdentifierUsername, strings.Repeat("x", 64), true},
		{storage.IdentifierUsername, strings.Repeat("x", 65), false},
		{storage.IdentifierUsername, "alice@home", false},
		{storage.IdentifierUsername, "+alice", false},
		{storage.IdentifierUsername, "al ice", false},
		{storage.IdentifierUsername, "al\x00ice", false},
		{storage.IdentifierUsername, "", false},
		{"nickname", "alice", false},
	}
	for _, tt := range tests {
		if got := storage.ValidIdentifier(tt.kind, tt.value); got != tt.want {
			t.Errorf("ValidIdentifier(%s, %q) = %v, want %v", tt.kind, tt.value, got, tt.want)
		}
	}
}

func TestParseIdentifier(t *testing.T) {
	tests := []struct {
		typed string
		kind  storage.IdentifierType
		value string
	}{
		{" alice@example.com ", storage.IdentifierEmail, "alice@example.com"},
		{"admin@localhost", storage.IdentifierEmail, "admin@localhost"}, // found, not judged
		{"+41 79 123 45 67", storage.IdentifierPhone, "+41791234567"},
		{"+41791234567", storage.IdentifierPhone, "+41791234567"},
		{"alice", storage.IdentifierUsername, "alice"},
		{"+alice", storage.IdentifierUsername, "+alice"},
	}
	for _, tt := range tests {
		if kind, value := storage.ParseIdentifier(tt.typed); kind != tt.kind || value != tt.value {
			t.Errorf("ParseIdentifier(%q) = %s %q, want %s %q", tt.typed, kind, value, tt.kind, tt.value)
		}
	}
	if got := storage.CleanIdentifier(storage.IdentifierPhone, " +41 79\t123 45 67 "); got != "+41791234567" {
		t.Errorf("CleanIdentifier(phone) = %q", got)
	}
}
