// Package fositestore implements fosite's storage interfaces over Foyer's
// storage repositories. Requesters are serialised to JSON (the session into
// whatever fosite.Session the caller passes, so fosite's types stay fosite's);
// transactions travel in the context through storage.Transactor.
package fositestore
