/** ConductorAPI: the client side of every method of Ironic's conductor RPC API 1.44. (Being written: issue 3.) */
export class ConductorAPI {}
