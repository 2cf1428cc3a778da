const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".map": "application/json",
};

/**
 * Serve files from one folder. Only plain names of known types are served: no `..`, no hidden
 * files, no sub-paths, so a request can never reach outside the folder.
 * @returns `null` when the path is not a servable file
 */
export async function serveStaticFile(folder: string, pathname: string): Promise<Response | null> {
  const name = pathname === "/" ? "index.html" : pathname.slice(1);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$/.test(name)) return null;
  const extension = name.slice(name.lastIndexOf("."));
  const contentType = CONTENT_TYPES[extension];
  if (contentType === undefined) return null;
  try {
    const body = await Deno.readFile(`${folder}/${name}`);
    return new Response(body, {
      headers: { "content-type": contentType, "cache-control": "no-cache" },
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
