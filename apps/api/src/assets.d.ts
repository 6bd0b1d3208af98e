// The build's text loaders (tools/esbuild/app.config.cjs): these imports are strings.
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
declare module '*.svg' {
  const text: string;
  export default text;
}
/** A browser script, bundled for the browser at build time (tools/esbuild/browser-script.cjs). */
declare module '*?script' {
  const javascript: string;
  export default javascript;
}
/** A file's text as it is on disk (tools/esbuild/raw-text.cjs): Swagger UI's prebuilt files. */
declare module '*?raw' {
  const text: string;
  export default text;
}
