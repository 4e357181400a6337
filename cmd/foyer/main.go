package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	// The zone database built in, so customers' times show in their zone
	// (themes.Zone) on hosts and images without /usr/share/zoneinfo.
	_ "time/tzdata"
)

const usage = `Foyer: a customer-identity server (OpenID Connect provider with self-service).

Usage:
  foyer [--config FILE] <command> [flags]

Commands:
  serve                 start the server (migrates the database first)
  migrate               apply pending database migrations and exit
  client create         register an OAuth client
  client list           list clients
  client delete ID      delete a client and its tokens
  client token create   create an initial access token for dynamic registration
  client secret rotate  give a client a new secret (--id, --overlap for the old one)
  client roles set      set the admin role a client's tokens act with (--id, --role, --store)
  account create        create an account
  keys rotate           add new active signing keys; old ones stay in JWKS
  app policy show       show an application's self-service policy
  app policy set        change an application's self-service policy
  app mfa show          show an application's MFA policy
  app mfa set           change an application's MFA policy
  app consent show      show an application's consent policy
  app consent set       replace an application's consent policy
  app portal show APP   show an application's launcher tile, friendly URL and groups
  app portal set APP    change them (--launcher, --slug, --groups)
  app branding show|set  an application's branding (--app, --logo FILE, --favicon FILE, --color NAME=#hex, --extra-css FILE, --support-url, ...)
  app partner-lookup set|show|delete APP  an application's partner lookup webhook (--url, --timeout, --rotate-secret)
  app create|list       create (--name, --store) or list applications
  app delete APP        delete an application without clients
  policy list|show|create|set|assign|default|delete  named policies
  store create NAME     create an identity store (--id, --identifiers, --attributes)
  store list            list identity stores
  store rename ID NAME  rename an identity store
  store delete ID       delete an empty identity store
  group create NAME     create a group of accounts
  group add|remove NAME ACCOUNT  change a group's members
  group list|rename|delete       list, rename (NAME NEW) or delete (NAME) groups
  org partner-code ORG  give a partner organization a new partner code, shown once (--store, --expires-in, --max-uses)
  account link ACCOUNT  link an external identity (--provider, --subject)
  idp create|list|show ID|update ID|delete ID  a store's upstream identity providers (social and enterprise sign-in)
  translations list|export|import|delete  translation packages of a store or application (--store S [--app A] --lang L [--file F])
  account roles list|assign|remove ACCOUNT [ORGANIZATION ROLE]  an account's roles per organization
  invitation send       invite a customer (--client, --email, --organization, --role, --group, --attr)
  invitation list|resend ID|revoke ID  a store's invitations (--store, --organization ORG|none)
  admin create          create an administrator (--email, --role, --store, --password)
  admin list            list administrators and their roles
  audit verify          check the audit log's hash chain
  audit export          print the audit log as JSON lines (--since)
  dev seed              fill a store with generated accounts (--accounts N) or stored tokens (--tokens N --client ID); development only
  cleanup               delete what has expired now, in bounded batches (the ten-minute cleanup, run once)

Configuration comes from --config (YAML) and FOYER_* environment variables;
see README.md. Run "foyer <command> -h" for a command's flags.
`

// errUsage marks a command-line mistake: exit status 2, message already
// printed.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run is main without the process: arguments, streams and environment are
// parameters so that tests can drive every command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	global := flag.NewFlagSet("foyer", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() { fmt.Fprint(stderr, usage) }
	configPath := global.String("config", "", "YAML configuration file")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := loadConfig(*configPath, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "foyer: invalid configuration:\n%v\n", err)
		return 1
	}
	log := newLogger(cfg, stderr)
	err = dispatch(ctx, cfg, rest, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		log.Error("command failed", "command", rest[0], "err", err)
		fmt.Fprintf(stderr, "foyer: %v\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 {
		sub = rest[0]
	}
	switch {
	case cmd == "serve":
		if len(rest) > 0 {
			return usageError(stderr, "serve takes no arguments")
		}
		return serve(ctx, cfg, stdout, newLogger(cfg, stderr))
	case cmd == "migrate":
		return migrate(ctx, cfg, stdout, stderr)
	case cmd == "client" && sub == "create":
		return clientCreate(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "client" && sub == "list":
		return clientList(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "client" && sub == "delete":
		return clientDelete(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "client" && sub == "roles" && len(rest) > 1 && rest[1] == "set":
		return clientRolesSet(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "client" && sub == "secret" && len(rest) > 1 && rest[1] == "rotate":
		return clientSecretRotate(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "client" && sub == "token" && len(rest) > 1 && rest[1] == "create":
		return clientTokenCreate(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "account" && sub == "create":
		return accountCreate(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "app" && sub == "policy" && len(rest) > 1 && rest[1] == "show":
		return appPolicyShow(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "policy" && len(rest) > 1 && rest[1] == "set":
		return appPolicySet(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "mfa" && len(rest) > 1 && rest[1] == "show":
		return appMFAShow(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "mfa" && len(rest) > 1 && rest[1] == "set":
		return appMFASet(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "consent" && len(rest) > 1 && rest[1] == "show":
		return appConsentShow(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "consent" && len(rest) > 1 && rest[1] == "set":
		return appConsentSet(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "portal" && len(rest) > 1 && rest[1] == "show":
		return appPortalShow(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "portal" && len(rest) > 1 && rest[1] == "set":
		return appPortalSet(ctx, cfg, rest[2:], stdout, stderr)
	case cmd == "app" && sub == "branding" && len(rest) > 1:
		return appBranding(ctx, cfg, rest[1], rest[2:], stdout, stderr)
	case cmd == "app" && sub == "partner-lookup" && len(rest) > 1:
		return appPartnerLookup(ctx, cfg, rest[1], rest[2:], stdout, stderr)
	case cmd == "app" && (sub == "create" || sub == "list" || sub == "delete"):
		return appCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "policy":
		return policyCommand(ctx, cfg, sub, rest[min(1, len(rest)):], stdout, stderr)
	case cmd == "account" && sub == "link":
		return accountLink(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "account" && sub == "roles" && len(rest) > 1:
		return accountRolesCommand(ctx, cfg, rest[1], rest[2:], stdout, stderr)
	case cmd == "store" && (sub == "create" || sub == "list" || sub == "rename" || sub == "delete"):
		return storeCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "group" && (sub == "list" || sub == "rename" || sub == "delete"):
		return groupAdminCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "group" && (sub == "create" || sub == "add" || sub == "remove"):
		return groupCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "invitation" && sub != "":
		return invitationCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "idp" && sub != "":
		return idpCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "translations" && sub != "":
		return translationsCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "org" && sub == "partner-code":
		return orgCommand(ctx, cfg, sub, rest[1:], stdout, stderr)
	case cmd == "admin" && sub == "create":
		return adminCreate(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "admin" && sub == "list":
		return adminList(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "audit" && sub == "verify":
		return auditVerify(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "audit" && sub == "export":
		return auditExport(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "dev" && sub == "seed":
		return devSeed(ctx, cfg, rest[1:], stdout, stderr)
	case cmd == "cleanup":
		return cleanupCommand(ctx, cfg, rest, stdout, stderr)
	case cmd == "keys" && sub == "rotate":
		return keysRotate(ctx, cfg, rest[1:], stdout, stderr)
	default:
		return usageError(stderr, fmt.Sprintf("unknown command %q", joinArgs(args)))
	}
}

func usageError(stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "foyer: %s\n\n%s", msg, usage)
	return errUsage
}

func joinArgs(args []string) string {
	if len(args) > 2 {
		args = args[:2]
	}
	out := ""
	for i, a := range args {
		if i > 0 {
			out += " "
		}
		out += a
	}
	return out
}
