// Package backchannel delivers OpenID Connect Back-Channel Logout 1.0 logout
// tokens. Ending an SSO session (selfservice/session) queues one notice per
// participating client in the database; the Worker here claims due notices,
// signs a logout token with the ID-token keys, POSTs it to the client's
// backchannel_logout_uri, and deletes the notice on a 2xx answer or
// reschedules it with exponential backoff, giving up after a bounded number
// of attempts. The outbox is shared by every node and a notice is claimed by
// one node at a time, so nodes do not double-send and a restart loses
// nothing. Deliveries to dynamically registered clients dial public
// addresses only (authz/netguard). It imports only storage and netguard.
package backchannel
