package authz

import (
	"context"

	"github.com/ory/fosite"
)

// tokenEndpointHandlers lists fosite's token endpoint handlers, each asked
// first whether the request is its grant. fosite calls every handler's
// PopulateTokenEndpointResponse, and those for other grants answer
// ErrUnknownRequest wrapped with a freshly captured stack trace: four
// stack walks per client-credentials token, 7 % of its CPU in a profile
// (README "Benchmarks"). The list is built by hand because
// fosite.TokenEndpointHandlers.Append keeps one handler per type.
func tokenEndpointHandlers(hs ...fosite.TokenEndpointHandler) fosite.TokenEndpointHandlers {
	out := make(fosite.TokenEndpointHandlers, len(hs))
	for i, h := range hs {
		out[i] = ownGrantOnly{h}
	}
	return out
}

// ownGrantOnly answers ErrUnknownRequest, without a stack, for requests
// its handler cannot handle; each of fosite's handlers does exactly that
// itself (or nothing), only more expensively.
type ownGrantOnly struct{ fosite.TokenEndpointHandler }

func (h ownGrantOnly) PopulateTokenEndpointResponse(ctx context.Context, req fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, req) {
		return fosite.ErrUnknownRequest
	}
	return h.TokenEndpointHandler.PopulateTokenEndpointResponse(ctx, req, resp)
}
