// Command foyer is the Foyer server and its CLI. This package reads the
// configuration (file, then FOYER_ environment), opens and migrates storage,
// wires every handler in one place (routes.go) and runs the sub-commands.
package main
