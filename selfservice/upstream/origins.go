package upstream

import "foyer/storage"

// FormTargets are the URLs a page's form post may end at when it starts
// a round trip to p: the start answers with a redirect to p's
// authorization endpoint, and browsers apply the page's CSP form-action
// to every hop. Without a network call: the issuer (OpenID Connect, whose
// authorization endpoint is on the issuer's host at every provider we
// know) and, once discovery has been fetched, the endpoint it names; a
// plain OAuth 2.0 provider's configured authorization URL.
func (c *Client) FormTargets(p *storage.UpstreamProvider) []string {
	eff := EffectiveProvider(p)
	if eff.Kind != storage.UpstreamOIDC {
		return []string{eff.AuthURL}
	}
	targets := []string{eff.Issuer}
	c.mu.Lock()
	d, ok := c.providers[discoveryKey(eff)]
	c.mu.Unlock()
	if ok {
		targets = append(targets, d.op.Endpoint().AuthURL)
	}
	return targets
}
