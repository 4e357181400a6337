package upstream

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestMapClaims(t *testing.T) {
	std := standardClaims()
	for _, tc := range []struct {
		name    string
		mapping map[string]string
		claims  string
		want    *Identity
		err     error
	}{
		{"standard", std,
			`{"sub":"s1","email":" a@example.com ","email_verified":true,"phone_number":"+4930","preferred_username":"ada","locale":"de","acr":"mfa","amr":["pwd","otp",3]}`,
			&Identity{Subject: "s1", Email: "a@example.com", EmailVerified: true, Phone: "+4930", Username: "ada",
				Language: "de", ACR: "mfa", AMR: []string{"pwd", "otp"}}, nil},
		{"numeric subject keeps its digits", map[string]string{"subject": "id"}, `{"id":12345678901234567}`,
			&Identity{Subject: "12345678901234567"}, nil},
		{"email_verified as the string true (Apple)", std, `{"sub":"s","email":"a@example.com","email_verified":"true"}`,
			&Identity{Subject: "s", Email: "a@example.com", EmailVerified: true}, nil},
		{"email_verified false string", std, `{"sub":"s","email":"a@example.com","email_verified":"false"}`,
			&Identity{Subject: "s", Email: "a@example.com"}, nil},
		{"email_verified missing", std, `{"sub":"s","email":"a@example.com"}`,
			&Identity{Subject: "s", Email: "a@example.com"}, nil},
		{"verified without an address counts for nothing", std, `{"sub":"s","email_verified":true}`,
			&Identity{Subject: "s"}, nil},
		{"attributes: strings, numbers, booleans; missing left out",
			map[string]string{"subject": "sub", "tenant": "hd", "age": "age", "vip": "vip", "gone": "nope", "obj": "o"},
			`{"sub":"s","hd":"example.com","age":42,"vip":false,"o":{"x":1}}`,
			&Identity{Subject: "s", Attributes: map[string]string{"tenant": "example.com", "age": "42", "vip": "false"}}, nil},
		{"missing subject", std, `{"email":"a@example.com"}`, nil, ErrDenied},
		{"subject of the wrong type", std, `{"sub":{"x":1}}`, nil, ErrDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dec := json.NewDecoder(strings.NewReader(tc.claims))
			dec.UseNumber()
			var claims map[string]any
			if err := dec.Decode(&claims); err != nil {
				t.Fatal(err)
			}
			got, err := mapClaims(tc.mapping, claims)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestClaimStringFloat: ID token claims decode numbers as float64.
func TestClaimStringFloat(t *testing.T) {
	if got := claimString(float64(123456789)); got != "123456789" {
		t.Errorf("claimString = %q", got)
	}
}
