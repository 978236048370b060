package sc.fiji.stylecrafter.download;

/** The terms the model files are published under, shown before the first download and accepted once. */
public enum Licence {

	RESEARCH_NON_COMMERCIAL("VideoCrafter1 and StyleCrafter weights",
		"Released by their authors for research and non-commercial use only. Commercial use needs the authors' permission "
			+ "(Tencent AI Lab for VideoCrafter1; the StyleCrafter authors for the style adapter and temporal layers)."),
	MIT_OPENCLIP("OpenCLIP ViT-H/14 (LAION-2B) weights and tokenizer vocabulary",
		"MIT licence (OpenCLIP). The model card says deployed use of the model, commercial or not, is out of scope: it is "
			+ "meant for research."),
	PYTORCH_CUDA("libtorch with CUDA (PyTorch's official build), for the GPU runtime",
		"PyTorch: BSD-3-Clause licence. The NVIDIA CUDA, cuDNN and cuBLAS libraries inside the zip are redistributed by PyTorch "
			+ "under NVIDIA's licence terms for them (in the zip).");

	private final String what;
	private final String terms;

	Licence(String what, String terms) {
		this.what = what;
		this.terms = terms;
	}

	public String what() {
		return what;
	}

	public String terms() {
		return terms;
	}
}
