// Package wire reads and writes the XML documents of Bandwidth's numbersAssignment API: the order
// request, the order response, the order list and the error documents.
//
// Documents are decoded into structs that hold every value as the text Bandwidth sent, so that the
// client converts and checks each value itself and a hostile document yields an error, never a
// panic or a silently wrong number. The order response and the order list, decoded on every create
// and poll, have an allocation-lean fast path (DecodeOrderResponse, DecodeOrderList) that answers
// exactly as encoding/xml does; Unmarshal is encoding/xml, strictly. EncodeOrder writes the order
// request by hand.
package wire
