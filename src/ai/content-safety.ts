import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import { ContentSafetyUnavailableError } from '../errors.js';
import type { ContentSafetySettings } from '../settings.js';

const contentSafetyScope = 'https://cognitiveservices.azure.com/.default';
const apiVersion = '2024-09-01';
/** The service analyses at most this many characters per request. */
const maxTextLength = 10_000;

const analysisSchema = z.object({
  categoriesAnalysis: z.array(z.object({ category: z.string(), severity: z.number().int().min(0).max(7) })),
});
export type TextAnalysis = z.infer<typeof analysisSchema>;

/** What the app asks of Content Safety: the port, which the REST client below implements. */
export interface TextAnalyzer {
  analyze(text: string): Promise<TextAnalysis>;
}

/** Azure AI Content Safety's text analysis (`text:analyze`), with the app's managed identity and a timeout. */
export class ContentSafetyClient implements TextAnalyzer {
  constructor(
    private readonly settings: ContentSafetySettings,
    private readonly credential: TokenCredential,
  ) {}

  async analyze(text: string): Promise<TextAnalysis> {
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      const token = await this.credential.getToken(contentSafetyScope, { abortSignal: signal });
      if (!token) throw new ContentSafetyUnavailableError('no token for Content Safety');
      const response = await fetch(`${this.settings.endpoint}/contentsafety/text:analyze?api-version=${apiVersion}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: text.slice(0, maxTextLength), outputType: 'FourSeverityLevels' }),
        signal,
      });
      if (!response.ok) throw new ContentSafetyUnavailableError(`text:analyze answered ${response.status}`);
      const parsed = analysisSchema.safeParse(await response.json());
      if (!parsed.success) throw new ContentSafetyUnavailableError('text:analyze answered an unknown shape');
      return parsed.data;
    } catch (error) {
      if (error instanceof ContentSafetyUnavailableError) throw error;
      const timedOut = signal.aborted;
      throw new ContentSafetyUnavailableError(
        timedOut ? `no answer within ${this.settings.timeoutMs} ms` : `request failed: ${String(error)}`,
        { cause: error },
      );
    }
  }
}

export type ContentSafetyVerdict =
  | { outcome: 'allowed' }
  | { outcome: 'refused'; category: string; severity: number }
  /** The service failed: `allowed` follows CONTENT_SAFETY_FAILURE (open delivers, closed refuses). */
  | { outcome: 'unavailable'; allowed: boolean; error: string };

/** The first category at or above its threshold refuses; an outage allows or refuses as the settings choose. */
export async function screenText(
  client: TextAnalyzer,
  settings: ContentSafetySettings,
  text: string,
): Promise<ContentSafetyVerdict> {
  let analysis: TextAnalysis;
  try {
    analysis = await client.analyze(text);
  } catch (error) {
    return { outcome: 'unavailable', allowed: settings.failure === 'open', error: (error as Error).message };
  }
  for (const { category, severity } of analysis.categoriesAnalysis) {
    const threshold = settings.thresholds[category];
    if (threshold !== undefined && severity >= threshold) return { outcome: 'refused', category, severity };
  }
  return { outcome: 'allowed' };
}
