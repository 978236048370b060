package sc.fiji.stylecrafter.sched;

import ai.djl.ndarray.NDArray;

/** Classifier-free guidance as {@code DDIMStyleSampler.p_sample_ddim} combines its branches (PITFALLS 17-18). */
public final class Guidance {

	private Guidance() {}

	/**
	 * With a style scale (three branches): {@code e_ts + style * (e_ts - e_t) + text * (e_t - e_0)}; this is the code,
	 * not the paper's formula.
	 */
	public static NDArray withStyleScale(NDArray eTextStyle, NDArray eText, NDArray eUncond, float textScale, float styleScale) {
		return eTextStyle.add(eTextStyle.sub(eText).mul(styleScale)).add(eText.sub(eUncond).mul(textScale));
	}

	/** Without a style scale (two branches): {@code e_0 + text * (e_ts - e_0)}. */
	public static NDArray textOnly(NDArray eCond, NDArray eUncond, float textScale) {
		return eUncond.add(eCond.sub(eUncond).mul(textScale));
	}
}
