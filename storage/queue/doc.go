// Package queue is the one worker loop over Foyer's database queues (the
// notification outbox, back-channel logout notices, deferred self-service
// requests): claim a batch of due rows under a lease, run each, retry a
// failure after a doubling backoff or give up after the last attempt, poll
// on an interval, wake at once when this node queued a row, and stop when
// the context ends.
//
// The queues keep their own SQL (claim, delete, fail) and their own
// meaning of success; this package only drives them. It lives under
// storage, imports nothing of ours, and so both authz/backchannel and the
// selfservice packages may use it.
package queue
