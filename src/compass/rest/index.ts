// Public surface of the Compass REST client.
export {
  DEFAULT_TIMEOUT_MS,
  type QueryValue,
  RestClient,
  type RestClientOptions,
  type RestMethod,
  type RestRequest,
  type RestResponse,
} from "./client";
export {
  BadRequestError,
  CompassConfigError,
  CompassNetworkError,
  CompassOriginError,
  CompassRestError,
  type CompassRestErrorInit,
  type CompassRestErrorJSON,
  CompassTimeoutError,
  ForbiddenError,
  isCompassRestError,
  MAX_DETAIL_LENGTH,
  MethodNotAllowedError,
  NotAcceptableError,
  NotFoundError,
  ServerError,
  UnauthorizedError,
} from "./errors";
export { acceptHeader, DEFAULT_VERSIONS, mediaTypeFor, versionFromContentType } from "./versions";
