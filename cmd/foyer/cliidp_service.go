package main

import (
	"foyer/admin/manage"
	"foyer/storage"
)

// newUpstreams is the admin side's service of upstream identity
// providers (console, API and CLI), sealing their secrets with the system
// secret bound to each provider; issuer is the base of their redirect
// URIs.
func newUpstreams(core *manage.Core, store storage.Store, secret []byte, issuer string) (*manage.Upstreams, error) {
	sealer, err := newUpstreamSealer(secret)
	if err != nil {
		return nil, err
	}
	return manage.NewUpstreams(core, store, sealer, issuer), nil
}
