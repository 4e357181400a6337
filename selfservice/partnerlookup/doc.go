// Package partnerlookup resolves a partner code that Foyer does not know
// through the application's partner lookup webhook (seed 003's "Partner
// Provider plugin"), so that registration can create the partner on the
// fly.
//
// Client POSTs the code to the webhook the operator configured
// (storage.PartnerLookup), signed with HMAC-SHA256 over the timestamp and
// the body under the webhook's own secret (Foyer-Signature, the scheme of
// Stripe's webhooks), and reads back the partner's name, domains and
// attributes. The webhook URL comes from configuration, but a mistyped or
// hostile one must not turn Foyer into a probe of its own network, so the
// request is dialled through authz/netguard (a leaf package with no
// imports of ours): loopback, private and link-local destinations are
// refused after DNS resolution, redirects are never followed and no proxy
// is used. Answers are bounded in time and size; anything but a valid 200
// or a 404 is ErrPartnerLookupFailed, never a guess.
//
// resolver.go holds the seam registration uses (PartnerResolver and its
// errors); the rest is the HTTP client.
package partnerlookup
