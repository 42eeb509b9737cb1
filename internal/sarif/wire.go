package sarif

import "encoding/json"

// The SARIF 2.1.0 objects the reader uses, as the log states them. Fields
// it does not use are ignored (a tolerant reader: appendix K3 of the
// specification and flawfinder's output carry properties the schema does
// not know, or lack ones it requires).

type wireLog struct {
	Version string    `json:"version"`
	Runs    []wireRun `json:"runs"`
}

type wireRun struct {
	Tool      wireTool       `json:"tool"`
	Artifacts []wireArtifact `json:"artifacts"`
	Results   []wireResult   `json:"results"`
}

type wireTool struct {
	Driver     wireComponent   `json:"driver"`
	Extensions []wireComponent `json:"extensions"`
}

type wireComponent struct {
	Name            string     `json:"name"`
	Version         string     `json:"version"`
	SemanticVersion string     `json:"semanticVersion"`
	Rules           []wireRule `json:"rules"`
}

type wireRule struct {
	ID                   string                 `json:"id"`
	Name                 string                 `json:"name"`
	ShortDescription     *wireMessage           `json:"shortDescription"`
	FullDescription      *wireMessage           `json:"fullDescription"`
	MessageStrings       map[string]wireMessage `json:"messageStrings"`
	DefaultConfiguration *struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
	Properties wireProperties `json:"properties"`
}

// wireProperties is a property bag; only security-severity is read. It is
// a string in GitHub's convention ("7.5"), a number in some tools'.
type wireProperties struct {
	SecuritySeverity json.RawMessage `json:"security-severity"`
}

type wireMessage struct {
	Text      string   `json:"text"`
	Markdown  string   `json:"markdown"`
	ID        string   `json:"id"`
	Arguments []string `json:"arguments"`
}

type wireArtifact struct {
	Location wireArtifactLocation `json:"location"`
}

type wireArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
	Index     *int   `json:"index"`
}

type wireRuleRef struct {
	ID            string `json:"id"`
	Index         *int   `json:"index"`
	ToolComponent *struct {
		Name  string `json:"name"`
		Index *int   `json:"index"`
	} `json:"toolComponent"`
}

type wireResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex"`
	Rule                *wireRuleRef      `json:"rule"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             wireMessage       `json:"message"`
	Locations           []wireLocation    `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fingerprints        map[string]string `json:"fingerprints"`
	Suppressions        []wireSuppression `json:"suppressions"`
	Properties          wireProperties    `json:"properties"`
	BaselineState       string            `json:"baselineState"`
}

type wireLocation struct {
	PhysicalLocation *struct {
		ArtifactLocation *wireArtifactLocation `json:"artifactLocation"`
		Region           *wireRegion           `json:"region"`
		ContextRegion    *wireRegion           `json:"contextRegion"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
	} `json:"logicalLocations"`
}

type wireRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine"`
	Snippet   *struct {
		Text string `json:"text"`
	} `json:"snippet"`
}

type wireSuppression struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
}
