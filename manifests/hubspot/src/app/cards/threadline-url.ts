/**
 * Where Threadline runs. The source names a placeholder host; `npm run package:hubspot -- --host …` fills in the
 * real one (here, in the app's `permittedUrls.fetch` and in every URL of the project), and `--release` refuses
 * the placeholder. `hubspot.fetch` takes absolute https URLs only, listed in `permittedUrls.fetch`.
 */
export const THREADLINE_URL = 'https://threadline.example.com';
