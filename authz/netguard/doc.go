// Package netguard keeps Foyer's outbound HTTP requests to URIs chosen by
// untrusted parties (a dynamically registered client's jwks_uri and
// backchannel_logout_uri) on the public internet. Its dialer checks every
// address after DNS resolution, in net.Dialer's Control hook, so a name
// that resolves (or re-resolves, DNS rebinding) to a loopback, private,
// link-local or otherwise non-global address is refused before a packet
// is sent. It imports nothing of ours.
package netguard
