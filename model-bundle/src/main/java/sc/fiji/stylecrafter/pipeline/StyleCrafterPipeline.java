package sc.fiji.stylecrafter.pipeline;

import java.util.List;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;
import sc.fiji.stylecrafter.model.ModelConfig;
import sc.fiji.stylecrafter.nn.NativeMemory;
import sc.fiji.stylecrafter.nn.RouteChecks;
import sc.fiji.stylecrafter.nn.Scope;
import sc.fiji.stylecrafter.sched.DdimConfig;
import sc.fiji.stylecrafter.sched.DdimScheduler;
import sc.fiji.stylecrafter.sched.Guidance;
import sc.fiji.stylecrafter.sched.NoiseSource;
import sc.fiji.stylecrafter.sched.SeededNoise;
import sc.fiji.stylecrafter.unet.UNetModel;
import sc.fiji.stylecrafter.model.StyleCrafterModel;
import sc.fiji.stylecrafter.task.CancellationToken;
import sc.fiji.stylecrafter.task.GenerationCancelledException;
import sc.fiji.stylecrafter.task.ProgressListener;
import sc.fiji.stylecrafter.task.Stage;

/**
 * From a prompt, style references and settings to frames: the numbered script of the official inference
 * ({@code DDIMStyleSampler} with the StyleCrafter conditioning), from noise or from a source clip to restyle
 * ({@link Source}), a clip longer than the window denoised in windows ({@link TemporalWindows}). Components come from a loaded
 * {@link StyleCrafterModel}; nothing is created here but the per-run arrays, which live in a sub-manager closed when
 * the run ends (or fails, or is cancelled). Runs are serialised across all models of the process (the seeded noise
 * uses libtorch's global generator, so two runs at once would take each other's draws).
 */
public final class StyleCrafterPipeline {

	private final StyleCrafterModel model;
	private final boolean batchBranches;

	/** A pipeline that batches the guidance branches on a GPU and runs them one after the other on the CPU. */
	public StyleCrafterPipeline(StyleCrafterModel model) {
		this(model, model.device().isGpu());
	}

	/**
	 * @param batchBranches run all guidance branches of a step (three with style guidance, else two) as one UNet call
	 *          (fewer, larger calls: faster on a GPU, but the activation memory of all branches at once); the result is
	 *          the same up to float rounding
	 */
	public StyleCrafterPipeline(StyleCrafterModel model, boolean batchBranches) {
		this.model = model;
		this.batchBranches = batchBranches;
	}

	/**
	 * A generation request.
	 *
	 * @param styleNames the references as the user named them, for the record (files, image titles); may be empty
	 * @param noise where the noise comes from: {@code null} for the settings' seed (the official stream,
	 *          {@link SeededNoise}); another source replays recorded noise or continues a stream a batch shares
	 * @param source a clip or image to restyle, or {@code null} to generate from noise
	 */
	public record Request(String prompt, List<RgbImage> styles, GenerationSettings settings, List<String> styleNames, NoiseSource noise, Source source) {

		public Request {
			styleNames = styleNames == null ? List.of() : List.copyOf(styleNames);
		}

		/** A request from noise. */
		public Request(String prompt, List<RgbImage> styles, GenerationSettings settings, List<String> styleNames, NoiseSource noise) {
			this(prompt, styles, settings, styleNames, noise, null);
		}

		/** A request seeded by its settings, its references unnamed. */
		public Request(String prompt, List<RgbImage> styles, GenerationSettings settings) {
			this(prompt, styles, settings, List.of(), null, null);
		}

		/** The same request, its references named as the user knows them. */
		public Request named(List<String> names) {
			return new Request(prompt, styles, settings, names, noise, source);
		}

		/** The same request, its noise from {@code from} instead of the seed. */
		public Request withNoise(NoiseSource from) {
			return new Request(prompt, styles, settings, styleNames, from, source);
		}

		/** The same request restyling {@code clip} instead of starting from noise. */
		public Request restyling(Source clip) {
			return new Request(prompt, styles, settings, styleNames, noise, clip);
		}
	}

	/**
	 * A clip (or image) to restyle: its frames are encoded, noised to the strength and denoised with the request's
	 * prompt and styles (golden README, "Restyling a given clip or image").
	 *
	 * @param frames the frames in RGB at the generation size, as many as the settings' frames (1 for an image)
	 * @param strength in (0, 1]: how far the frames are noised. Of the S DDIM steps, {@code max(1, int(strength * S))}
	 *          run, from the noise level of the last of them; 1 starts from the top timestep, so keeps least of the source
	 * @param name the source as the user named it (a file), for the record; may be {@code null}
	 */
	public record Source(List<RgbImage> frames, double strength, String name) {

		/** The strength where the user gives none (Fiji, batch lists): the source's layout kept, the style clearly changed. */
		public static final double DEFAULT_STRENGTH = 0.6;

		public Source {
			frames = frames == null ? List.of() : List.copyOf(frames);
		}

		/** The number of DDIM steps a run of {@code total} steps takes from this source: {@code max(1, int(strength * total))}. */
		public int steps(int total) {
			return Math.max(1, Math.min(total, (int) (strength * total)));
		}
	}

	/** Generates with no one listening. */
	public GenerationResult generate(Request req) {
		return generate(req, null, null, null);
	}

	/**
	 * Generates.
	 *
	 * @param progress told after every step and decoded frame, or {@code null}
	 * @param steps told after every sampling step with the latent and the estimate of the result, or {@code null}
	 * @param cancel asked before every step and after every decoded frame, or {@code null}
	 */
	public GenerationResult generate(Request req, ProgressListener progress, StepListener steps, CancellationToken cancel) {
		synchronized (StyleCrafterPipeline.class) { // seeded noise uses libtorch's one global generator: one run at a time, all models
			try (RouteChecks.Usage routes = RouteChecks.collect()) {
				return run(req, req.noise() != null ? req.noise() : new SeededNoise(req.settings().seed()), progress == null ? ProgressListener.NONE : progress,
					steps == null ? StepListener.NONE : steps, cancel == null ? CancellationToken.NEVER : cancel, routes);
			}
			catch (EngineException e) {
				throw translate(e, req.settings());
			}
			finally {
				model.reportRoutes();
				// the run's tensors are closed: hand libtorch's cached GPU blocks back, so other programs (and a retry after
				// running out of memory) can have them
				if (model.device().isGpu()) ai.djl.pytorch.jni.JniUtils.emptyCudaCache();
			}
		}
	}

	private GenerationResult run(Request req, NoiseSource noise, ProgressListener progress, StepListener steps, CancellationToken cancel,
		RouteChecks.Usage routes)
	{
		long t0 = System.nanoTime();
		// 1. Check inputs.
		GenerationSettings s = req.settings();
		check(req, model.config());
		DataType dtype = model.precision().dataType();
		int down = model.config().vae().downsampling();
		Shape latentShape = new Shape(1, model.config().unet().inChannels(), s.frames(), s.height() / down, s.width() / down);
		int temporal = model.config().unet().temporalLength();
		TemporalWindows windows = TemporalWindows.of(s.frames(), s.windowFor(temporal), s.overlapFor(temporal));
		try (NDManager run = model.newRunManager()) {
			progress.progress(0, s.steps(), Stage.ENCODING);
			// 2. Encode the prompt and the empty prompt (the unconditional branch, PITFALLS 19).
			NDArray text = model.encodeText(req.prompt(), run); // [1, 77, D]
			NDArray uncond = model.encodeText("", run);
			// 3. Encode the style references, concatenated along tokens (PITFALLS 8-10).
			NDArray styleTokens = model.styleEncoder().encode(req.styles(), run, model.device(), dtype); // [1, n*257, W]
			// 4. Style embeddings and per-layer scales (PITFALLS 11-12); the style travels appended to the text (15).
			NDArray style = model.adapter().styleEmbeddings(styleTokens); // [1, 8, D]
			NDArray scales = model.adapter().scales(style, text); // [1, 16, 1]
			float[] styleScales = float32(scales).toFloatArray(); // for the record: one read, before the step loop
			Conditions c = Conditions.of(model.unet(), text, uncond, style, scales, s.styleGuidance() != null, batchBranches, s.styleWeight()); // once per generation
			model.reportRoutes(); // a route rejected by the encoders' checks is told now, not after the run
			// 5. Timesteps: all of them from noise; the last k of them when restyling.
			DdimScheduler scheduler = new DdimScheduler(model.schedule());
			scheduler.setTimesteps(s.steps(), s.eta());
			int total = req.source() == null ? scheduler.steps() : req.source().steps(scheduler.steps());
			int first = scheduler.steps() - total; // the loop iteration the run starts at
			// 6. Initial latent: the first draw of the noise stream; or the source encoded frame by frame (one posterior draw
			// each), then noised to the first step's level (one more draw).
			NDArray x = req.source() == null ? noise.next(latentShape, run).toDevice(model.device(), false)
				: noisedSource(req.source(), first, scheduler, latentShape, noise, run, progress, cancel);
			// 7. Denoising loop, the UNet over the clip's windows.
			progress.progress(0, total, Stage.SAMPLING);
			for (int j = 0; j < total; j++) {
				if (cancel.isCancelled()) throw new GenerationCancelledException(j, total);
				int i = first + j;
				try (Scope step = new Scope()) { // closes every array the step creates, whatever its manager, but the new latent
					NDArray eps = guidedNoise(toModel(x), scheduler.timestep(i), c, s, windows);
					NDArray z = noise.next(latentShape, run).toDevice(model.device(), false); // drawn after the UNet calls, as the official code
					DdimScheduler.Step next = scheduler.step(float32(eps), i, x, z);
					x = Scope.replace(x, step.keep(next.prevSample()));
					steps.step(new StepListener.Step(j + 1, total, (int) scheduler.timestep(i), x, next.predOriginalSample())); // before the step's arrays close
				}
				NativeMemory.trim();
				if (j == 0) model.reportRoutes();
				progress.progress(j + 1, total, Stage.SAMPLING);
			}
			// 8. Decode frame by frame (PITFALLS 22) and convert (PITFALLS 23).
			int frameCount = (int) latentShape.get(2);
			progress.progress(0, frameCount, Stage.DECODING);
			NativeMemory.trim();
			NDArray frames = float32(model.vae().decode(toModel(x), done -> { // progress and cancel after every frame
				progress.progress(done, frameCount, Stage.DECODING);
				if (done < frameCount && cancel.isCancelled()) throw GenerationCancelledException.whileDecoding(done, frameCount);
			})); // [1, 3, t, H, W]
			Shape fs = frames.getShape();
			float[] values = frames.toFloatArray();
			java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
			if (!windows.plain()) facts.put("windows", windows.ranges());
			if (req.source() != null) {
				if (req.source().name() != null) facts.put("source", req.source().name()); // the record's facts hold no null
				facts.put("strength", req.source().strength());
				facts.put("denoising_steps", total);
			}
			GenerationRecord record = new GenerationRecord(req.prompt(), s.resolvedFor(temporal), req.styleNames(), req.styles().size(), model.engine(),
				routes.summary(), styleScales, (System.nanoTime() - t0) / 1e9, facts);
			return new GenerationResult(record, (int) fs.get(2), (int) fs.get(4), (int) fs.get(3), values, GenerationResult.toUint8(values));
		}
	}

	/**
	 * The source's latent noised to the level of loop iteration {@code first}: each frame encoded on its own and drawn
	 * from its posterior (a draw of {@code [1, z, h, w]} per frame, in frame order), scaled, then
	 * {@code sqrt(a) x0 + sqrt(1 - a) eps} with one more draw of the latent's shape ({@code stochastic_encode}).
	 */
	private NDArray noisedSource(Source source, int first, DdimScheduler scheduler, Shape latentShape, NoiseSource noise, NDManager run,
		ProgressListener progress, CancellationToken cancel)
	{
		int frames = source.frames().size();
		progress.progress(0, frames, Stage.SOURCE);
		try (Scope scope = new Scope()) {
			NDArray x0 = model.vaeEncoder().encode(frames, i -> {
				RgbImage img = source.frames().get(i);
				return run.create(StylePreprocessor.toModelRange(img), new Shape(1, 3, img.height(), img.width())).toDevice(model.device(), false)
					.toType(model.precision().dataType(), false);
			}, shape -> noise.next(shape, run).toDevice(model.device(), false), done -> {
				progress.progress(done, frames, Stage.SOURCE);
				if (done < frames && cancel.isCancelled()) throw GenerationCancelledException.whileEncoding(done, frames);
			});
			if (!x0.getShape().equals(latentShape)) throw new IllegalStateException("the source encodes to " + x0.getShape() + ", the run needs " + latentShape);
			NDArray eps = noise.next(latentShape, run).toDevice(model.device(), false);
			return scope.keep(scheduler.noised(x0, first, eps));
		}
	}

	/**
	 * The one boundary between the sampler and the networks: the scheduler, the noise and the latent it carries from step
	 * to step stay float32 (as the official sampler keeps them); the networks take and give the model's dtype. A latent
	 * crosses into the networks here ...
	 */
	private NDArray toModel(NDArray latent) {
		return latent.toType(model.precision().dataType(), false);
	}

	/** ... and a network's output comes back here (a no-op in float32). */
	private static NDArray float32(NDArray y) {
		return y.toType(DataType.FLOAT32, false);
	}

	/**
	 * What the UNet branches of every step are conditioned on, prepared once per generation ({@link UNetModel#prepare}:
	 * the keys and values of every cross-attention layer): the text with the style tokens and the scales, the text
	 * alone, the empty prompt; or, for batched branches, their texts, style tokens and scales as one batch. The branches
	 * without style see the style tokens there too, but with the scale -1, so that their style attention is weighted
	 * {@code (1 + s) = 0} and adds exactly nothing ({@code x + 0 = x}); the batch then has one shape.
	 *
	 * @param branches the number of branches: 3 with a separate style guidance (PITFALLS 17), else 2 (PITFALLS 18)
	 * @param batched all branches as one batch, or {@code null} when they run one after the other
	 */
	private record Conditions(int branches, UNetModel.Conditioning batched, UNetModel.Conditioning textStyle, UNetModel.Conditioning text,
		UNetModel.Conditioning uncond)
	{
		static Conditions of(UNetModel unet, NDArray text, NDArray uncond, NDArray style, NDArray scales, boolean styleGuidance, boolean batch,
			float styleWeight)
		{
			int branches = styleGuidance ? 3 : 2;
			if (!batch) {
				return new Conditions(branches, null, unet.prepare(text, style, scales, styleWeight), styleGuidance ? unet.prepare(text, null, null, styleWeight) : null,
					unet.prepare(uncond, null, null, styleWeight));
			}
			NDArray off = scales.onesLike().neg(); // (1 + s) = 0: no style
			NDList texts = styleGuidance ? new NDList(text, text, uncond) : new NDList(text, uncond);
			NDList styles = styleGuidance ? new NDList(style, style, style) : new NDList(style, style);
			NDList scaleList = styleGuidance ? new NDList(scales, off, off) : new NDList(scales, off);
			return new Conditions(branches, unet.prepare(NDArrays.concat(texts, 0), NDArrays.concat(styles, 0), NDArrays.concat(scaleList, 0), styleWeight), null,
				null, null);
		}
	}

	/**
	 * The guided noise prediction of one step: its branches in one batched UNet call, or one call each; each call over
	 * the clip's windows, averaged per branch before the guidance combines them.
	 */
	private NDArray guidedNoise(NDArray in, float t, Conditions c, GenerationSettings s, TemporalWindows windows) {
		if (c.batched() != null) {
			float[] ts = new float[c.branches()];
			java.util.Arrays.fill(ts, t);
			NDList inputs = new NDList();
			for (int i = 0; i < c.branches(); i++) inputs.add(in);
			NDList e = windows.apply(NDArrays.concat(inputs, 0), w -> model.unet().forward(w, ts, c.batched(), s.mode())).split(c.branches(), 0);
			return c.branches() == 3 ? Guidance.withStyleScale(e.get(0), e.get(1), e.get(2), s.textGuidance(), s.styleGuidance())
				: Guidance.textOnly(e.get(0), e.get(1), s.textGuidance());
		}
		NDArray eTs = unet(in, t, c.textStyle(), s, windows);
		if (c.branches() == 2) return Guidance.textOnly(eTs, unet(in, t, c.uncond(), s, windows), s.textGuidance());
		return Guidance.withStyleScale(eTs, unet(in, t, c.text(), s, windows), unet(in, t, c.uncond(), s, windows), s.textGuidance(), s.styleGuidance());
	}

	private NDArray unet(NDArray x, float t, UNetModel.Conditioning c, GenerationSettings s, TemporalWindows windows) {
		return windows.apply(x, w -> model.unet().forward(w, new float[] { t }, c, s.mode()));
	}

	/** At most this many style references (the official code is trained with 1 to 3; more only dilute). */
	public static final int MAX_STYLES = 16;

	/**
	 * Width and height must be multiples of this for a model of this config: the VAE's downsampling times the UNet's
	 * (the latent is halved once per UNet level after the first, and the skip connections must line up again).
	 * 64 for the official model.
	 */
	public static int sizeMultiple(ModelConfig config) {
		return config.vae().downsampling() << (config.unet().channelMult().size() - 1);
	}

	/**
	 * Everything about a request that can be checked without the weights, given the model's architecture (which
	 * {@code config.json} or the full-size default gives before anything loads): prompt, number of styles, size,
	 * frames, steps. The pipeline checks again before it runs.
	 *
	 * @return the number of denoising steps the run will take (see {@link DdimScheduler#count})
	 * @throws IllegalArgumentException naming the bad value and what is allowed
	 */
	public static int check(Request req, ModelConfig config) {
		if (req.prompt() == null || req.prompt().isBlank()) {
			throw new IllegalArgumentException("the prompt is empty; describe what to show (the style comes from the images)");
		}
		int styles = req.styles() == null ? 0 : req.styles().size();
		if (styles == 0) throw new IllegalArgumentException("at least one style image is needed");
		if (styles > MAX_STYLES) throw new IllegalArgumentException(styles + " style images given; allowed: 1 to " + MAX_STYLES);
		GenerationSettings s = req.settings();
		int multiple = sizeMultiple(config);
		if (s.width() % multiple != 0 || s.height() % multiple != 0) {
			throw new IllegalArgumentException("size " + s.width() + "x" + s.height() + " is not allowed: width and height must be multiples of " + multiple
				+ " (e.g. " + nearest(s.width(), multiple) + "x" + nearest(s.height(), multiple) + ")");
		}
		int temporal = config.unet().temporalLength(), maxWindow = maxWindow(config);
		int window = s.windowFor(temporal), overlap = s.overlapFor(temporal);
		if (window > maxWindow) {
			throw new IllegalArgumentException("window " + window + " is larger than this model allows; allowed: 1 to " + maxWindow + " (trained on "
				+ temporal + " frames)");
		}
		if (overlap >= window) {
			throw new IllegalArgumentException("overlap " + overlap + " is not smaller than the window " + window + "; allowed: 0 to " + (window - 1));
		}
		if (req.source() != null) checkSource(req.source(), s);
		return DdimScheduler.count(DdimConfig.STYLECRAFTER, s.steps());
	}

	/**
	 * The most frames one UNet call may see for a model of this config: 4 times its temporal length (64 for the
	 * official model; its relative positions are clamped beyond the trained length, so quality falls off).
	 */
	public static int maxWindow(ModelConfig config) {
		return 4 * config.unet().temporalLength();
	}

	/** A source's strength, frames and sizes against the settings. */
	private static void checkSource(Source src, GenerationSettings s) {
		if (!(src.strength() > 0 && src.strength() <= 1)) {
			throw new IllegalArgumentException("strength " + src.strength() + " is out of range; allowed: more than 0 up to 1 (1 keeps least of the source)");
		}
		List<RgbImage> frames = src.frames();
		String what = src.name() == null ? "the source" : "the source " + src.name();
		if (frames.isEmpty()) throw new IllegalArgumentException(what + " has no frames");
		RgbImage f0 = frames.get(0);
		for (int i = 1; i < frames.size(); i++) {
			RgbImage f = frames.get(i);
			if (f.width() != f0.width() || f.height() != f0.height()) {
				throw new IllegalArgumentException(what + ": frame " + (i + 1) + " is " + f.width() + "x" + f.height() + ", frame 1 is " + f0.width() + "x"
					+ f0.height() + "; all frames must have one size");
			}
		}
		if (f0.width() != s.width() || f0.height() != s.height()) {
			throw new IllegalArgumentException(what + " is " + f0.width() + "x" + f0.height() + ", the generation size is " + s.width() + "x" + s.height()
				+ "; resize the frames to the generation size");
		}
		if (frames.size() != s.frames()) {
			throw new IllegalArgumentException(what + " has " + frames.size() + " frame(s), the settings ask for " + s.frames() + "; they must be the same");
		}
	}

	private static int nearest(int v, int multiple) {
		return Math.max(multiple, Math.round(v / (float) multiple) * multiple);
	}

	private static RuntimeException translate(EngineException e, GenerationSettings s) {
		String m = String.valueOf(e.getMessage());
		if (m.contains("out of memory") || m.contains("CUDA out of memory") || m.contains("DefaultCPUAllocator")) {
			return new IllegalStateException("out of memory while generating " + s.frames() + " frame(s) of " + s.width() + "x" + s.height()
				+ ". What fits better: fewer frames, a smaller size, float16 precision on a GPU, or device cpu (slower, but main memory is larger). (" + m.lines().findFirst().orElse("") + ")", e);
		}
		return e;
	}
}
