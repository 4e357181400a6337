// Package regulate owns every attempt limit of the self-service: which
// attempts are counted under which key, in which window, up to which
// limit (rules.go, one table), and the record-then-count operation over
// the database's attempt table that enforces them. The counts live in the
// database so a limit holds across nodes, and each attempt is stored
// before it is counted, so of n parallel attempts the last sees at least
// n: parallel requests get no extra tries.
//
// A flow asks for a rule's key (Rule.Key), records an attempt before it
// checks the answer (Regulator.Attempt, or AttemptSince for limits that
// run over a code's life rather than a sliding window), and clears the key
// after a success where the rule says so. Limits that must not be
// extended by the tries they refuse (the password budgets: the guesser is
// held, the customer's lock still ends on time) Peek first, without
// recording, and Record only what they let through; a refused attempt
// says when to retry (Retry-After). The re-request throttle on new
// links and codes is not here: it must let exactly one of parallel
// requests through, which a unique claim does and a count cannot (see
// selfservice's throttled).
//
// It imports only storage, for the attempt table's types: the table is
// the narrow Store interface below, which storage.LoginAttempts
// satisfies.
package regulate
