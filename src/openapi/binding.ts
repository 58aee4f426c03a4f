/**
 * How a tool's arguments become an HTTP request: built once per snapshot by openapi/,
 * read on the hot path by upstream/.
 */
export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParamBinding {
  /** Argument name in the tool's inputSchema. */
  arg: string;
  /** Name on the wire. */
  name: string;
  style: string;
  explode: boolean;
  allowReserved: boolean;
  /** Set for `content`-encoded parameters: the value is serialised as this media type (JSON). */
  contentType?: string;
}

export type PathPart = string | ParamBinding;

export type BodyKind = 'json' | 'form' | 'multipart' | 'text' | 'binary';

export interface BodyEncoding {
  contentType?: string;
  style?: string;
  explode?: boolean;
}

export interface BodyBinding {
  mediaType: string;
  kind: BodyKind;
  /** Flattened: each body property is its own argument. Otherwise the whole body is `wholeArg`. */
  props: { arg: string; prop: string }[] | undefined;
  wholeArg: string | undefined;
  encoding: Record<string, BodyEncoding>;
  /** Properties that carry files (base64 in the arguments, bytes on the wire). */
  binaryProps: Set<string>;
  /** requestBody.required: send an empty object rather than no body when no property is given. */
  required: boolean;
}

export interface RequestBinding {
  method: string;
  /** Operation- or path-level server, when the spec sets one; else the server's base URL. */
  baseUrl: string | undefined;
  pathParts: PathPart[];
  /** Literal query from templates like `/?Action=DescribeInstances`. */
  fixedQuery: string;
  query: ParamBinding[];
  headers: ParamBinding[];
  cookies: ParamBinding[];
  body: BodyBinding | undefined;
  accept: string;
}
